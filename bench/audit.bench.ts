/**
 * What the audit trail costs: the central hook's extra INSERT per mutation (appendAuditEvent
 * in its own transaction, sequential), and streaming an export of EVENTS events (default
 * 100,000) over real HTTP as CSV and JSON — time, size, and the API process's heap growth
 * sampled every 20 ms (the export must not hold the events in memory). Figures only.
 *   npm run bench -- audit
 */
import { performance } from 'node:perf_hooks';
import { withOrgContext } from '../runner/src/db/org-context';
import { appendAuditEvent } from '../runner/src/modules/audit/recorder';
import { createTestApp, signUpWithOrg } from '../runner/test/support/test-app';

const INSERTS = Number(process.env.INSERTS ?? 500);
const EVENTS = Number(process.env.EVENTS ?? 100_000);

const t = await createTestApp();
try {
  const owner = await signUpWithOrg(t.app, 'bench-owner');
  const times: number[] = [];
  for (let i = 0; i < INSERTS; i++) {
    const started = performance.now();
    await appendAuditEvent(t.db.orm, {
      organizationId: owner.orgId,
      actorUserId: owner.userId,
      action: 'POST /v1/bench/:id',
      targetType: 'bench',
      targetId: String(i),
      details: { status: 204, params: { id: String(i) } },
      ip: '127.0.0.1',
      userAgent: 'bench',
      requestId: `req-${i}`,
    });
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const pct = (p: number) => times[Math.floor((times.length - 1) * p)]!.toFixed(2);
  console.log(
    `audit insert (own transaction, org scope): median ${pct(0.5)} ms, p95 ${pct(0.95)} ms over ${INSERTS}`,
  );

  await withOrgContext(t.db.orm, owner.orgId, (em) =>
    em.execute(
      `insert into audit_events (id, organization_id, actor_user_id, action, target_type, target_id, ip, user_agent, details, at)
       select (lpad(to_hex(extract(epoch from now())::bigint * 1000 + 60000 + g), 12, '0')
               || '-7000-8000-' || lpad(to_hex(g), 12, '0'))::uuid,
              ?, ?, 'POST /v1/workflows/:id/executions', 'workflows', gen_random_uuid()::text,
              '203.0.113.7', 'Mozilla/5.0 (bench)', '{"status":202,"params":{"id":"x"}}', now()
       from generate_series(1, ?) g`,
      [owner.orgId, owner.userId, EVENTS],
    ),
  );
  const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
  for (const format of ['csv', 'json'] as const) {
    global.gc?.();
    const baseHeap = process.memoryUsage().heapUsed;
    let peakHeap = baseHeap;
    const sampler = setInterval(() => {
      peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    }, 20);
    const started = performance.now();
    const res = await fetch(`${address}/v1/audit-events/export?format=${format}`, {
      headers: owner.headers,
    });
    let bytes = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>)
      bytes += chunk.length;
    const ms = performance.now() - started;
    clearInterval(sampler);
    console.log(
      `export ${format}: ${EVENTS + INSERTS + 1} events, ${(bytes / 1e6).toFixed(1)} MB in ${(ms / 1000).toFixed(2)} s ` +
        `(${Math.round((EVENTS / ms) * 1000)} events/s); heap growth peak ${((peakHeap - baseHeap) / 1e6).toFixed(1)} MB`,
    );
  }
} finally {
  await t.close();
}

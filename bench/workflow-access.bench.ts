/**
 * What workflow sharing (runner/src/modules/workflows/access.ts) costs per request: the same
 * reads as an owner (holds workflows:share: no extra query) and as a member of an organization
 * where half of 200 workflows are restricted and the member is named on 50 (one more indexed
 * read per workflow route, one more query per listing). Through app.inject with the real auth
 * hook and PostgreSQL (RLS), sequential requests. Figures only.
 *   npm run bench -- workflow-access
 */
import { performance } from 'node:perf_hooks';
import { addMember } from '../runner/test/support/team';
import { createTestApp, signUpWithOrg, webhookWorkflow } from '../runner/test/support/test-app';

const ROUNDS = Number(process.env.ROUNDS ?? 400);
const WORKFLOWS = 200;

const t = await createTestApp({ MAESTRO_RATE_LIMIT_PER_MINUTE: '1000000' });
try {
  const owner = await signUpWithOrg(t.app, 'bench-owner');
  const member = await addMember(t.app, owner, 'bench-member');
  const ids: string[] = [];
  for (let i = 0; i < WORKFLOWS; i++) {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/workflows',
      headers: owner.headers,
      payload: { definition: webhookWorkflow(`flow ${i}`) },
    });
    ids.push(res.json().id as string);
  }
  for (const [i, id] of ids.entries()) {
    if (i % 2 === 0) continue; // odd ones restricted; the member named on every other one
    await t.app.inject({
      method: 'PUT',
      url: `/v1/workflows/${id}/access`,
      headers: owner.headers,
      payload: {
        restricted: true,
        members: i % 4 === 1 ? [{ userId: member.userId, access: 'view' }] : [],
      },
    });
  }
  const shared = ids[1]!; // restricted, member named
  const open = ids[0]!;

  const variants: [label: string, url: string, headers: Record<string, string>][] = [
    ['GET /v1/workflows/{id} restricted, owner', `/v1/workflows/${shared}`, owner.headers],
    ['GET /v1/workflows/{id} restricted, member', `/v1/workflows/${shared}`, member.headers],
    ['GET /v1/workflows/{id} open, member', `/v1/workflows/${open}`, member.headers],
    ['GET /v1/workflows?limit=50, owner', '/v1/workflows?limit=50', owner.headers],
    ['GET /v1/workflows?limit=50, member', '/v1/workflows?limit=50', member.headers],
  ];
  // Interleaved rounds, so drift on a shared machine touches every variant alike.
  const times = variants.map(() => [] as number[]);
  for (let round = -30; round < ROUNDS; round++) {
    for (const [i, [label, url, headers]] of variants.entries()) {
      const started = performance.now();
      const res = await t.app.inject({ url, headers });
      if (round >= 0) times[i]!.push(performance.now() - started);
      if (res.statusCode !== 200) throw new Error(`${label}: ${res.statusCode} ${res.body}`);
    }
  }
  console.log(`${ROUNDS} interleaved rounds, ${WORKFLOWS} workflows (100 restricted)`);
  for (const [i, [label]] of variants.entries()) {
    const sorted = times[i]!.sort((a, b) => a - b);
    const p = (q: number) => sorted[Math.floor(q * (sorted.length - 1))]!.toFixed(2);
    console.log(`${label.padEnd(44)} p50 ${p(0.5)} ms  p95 ${p(0.95)} ms`);
  }
} finally {
  await t.close();
}

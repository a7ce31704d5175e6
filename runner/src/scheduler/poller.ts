import type { MikroORM } from '@mikro-orm/postgresql';
import { compileTemplate } from '../../../shared/src/expressions/template';
import type { ExpressionContext } from '../../../shared/src/expressions/context';
import type { HttpClient } from '../../../shared/src/engine/host';
import { HttpRequestConfig, statusIsOk } from '../../../shared/src/nodes/http-request-config';
import type { SecretBox } from '../crypto/secret-box';
import { withOrgContext, withSystemContext } from '../db/org-context';
import { createExecution } from '../outbox/create-execution';
import { recordQuotaRefusal } from '../modules/quotas/quota-notifications';
import type { Log } from '../worker/logger';
import { createSecretResolver } from '../worker/secret-resolver';

/** Keys remembered per poll trigger (oldest forgotten first). */
const MAX_SEEN_KEYS = 5_000;

interface PollState {
  seen?: string[];
  lastPolledAt?: string;
  lastError?: string;
}

interface PollTrigger {
  id: string;
  organization_id: string;
  workflow_id: string;
  version_id: string;
  poll_state: PollState | null;
  allow_private_network: boolean;
  definition: { nodes?: { type: string; config?: Record<string, unknown> }[] };
}

export interface PollDeps {
  orm: MikroORM;
  /** SSRF-guarded clients: strict, and open for organizations that allow private networks. */
  http: { strict: HttpClient; open: HttpClient };
  secretBox: SecretBox;
  log: Log;
}

/**
 * Runs the poll triggers that are due. A trigger is taken by moving its
 * next_due_at forward first (short transaction, SKIP LOCKED), so no two
 * schedulers poll it at once; the request runs outside any transaction; new
 * items (keys not in poll_state.seen) each start one execution, in the same
 * transaction that records their keys. The first poll of a trigger only
 * records a baseline: items that existed before the workflow was published
 * start nothing.
 */
export async function runDuePolls(deps: PollDeps, now = new Date(), batch = 20): Promise<number> {
  const taken = await withSystemContext(deps.orm, (em) =>
    em.execute<PollTrigger[]>(
      `with due as (
         select t.id from triggers t join workflows w on w.id = t.workflow_id
          where t.kind = 'poll' and t.active and w.enabled and coalesce(t.next_due_at, ?) <= ?
          order by t.next_due_at nulls first limit ? for update of t skip locked)
       update triggers t set next_due_at = ?::timestamptz + make_interval(secs => greatest(coalesce(t.poll_interval_seconds, 60), 60))
         from due, workflow_versions v, organizations o
        where t.id = due.id and v.id = t.version_id and o.id = t.organization_id
        returning t.id, t.organization_id, t.workflow_id, t.version_id, t.poll_state, o.allow_private_network, v.definition`,
      [now, now, batch, now],
    ),
  );
  let started = 0;
  for (const trigger of taken) {
    try {
      started += await pollOne(deps, trigger, now);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      deps.log.warn({ triggerId: trigger.id, err: message }, 'poll failed');
      await withSystemContext(deps.orm, (em) =>
        em.execute(
          `update triggers set poll_state = coalesce(poll_state, '{}'::jsonb) || jsonb_build_object('lastError', ?::text) where id = ?`,
          [message.slice(0, 500), trigger.id],
        ),
      );
    }
  }
  return started;
}

async function pollOne(deps: PollDeps, trigger: PollTrigger, now: Date): Promise<number> {
  const node = (trigger.definition.nodes ?? []).find((n) => n.type === 'trigger.poll');
  if (!node?.config) throw new Error('the version has no trigger.poll node');
  const request = HttpRequestConfig.parse(node.config.request);
  const response = await fetchPoll(deps, trigger, request);
  const items = await compileTemplate(String(node.config.items)).evaluate(
    response as unknown as ExpressionContext,
  );
  const list = Array.isArray(items) ? items : items === undefined || items === null ? [] : [items];
  const keyOf = compileTemplate(String(node.config.key));
  const keyed: { key: string; item: unknown }[] = [];
  for (const item of list) {
    const key = await keyOf.evaluate({ item } as unknown as ExpressionContext);
    if (key !== undefined && key !== null && key !== '')
      keyed.push({ key: typeof key === 'string' ? key : JSON.stringify(key), item });
  }
  const state = trigger.poll_state ?? {};
  const baseline = state.seen === undefined;
  const seen = new Set(state.seen ?? []);
  const fresh = keyed.filter(({ key }) => !seen.has(key) && seen.add(key));
  const nextSeen = [...seen].slice(-MAX_SEEN_KEYS);
  return withOrgContext(deps.orm, trigger.organization_id, async (em) => {
    let started = 0;
    for (const { item } of baseline ? [] : fresh) {
      try {
        await createExecution(em, {
          orgId: trigger.organization_id,
          workflowId: trigger.workflow_id,
          versionId: trigger.version_id,
          input: { item, polledAt: now.toISOString() },
          trigger: 'poll',
        });
        started++;
      } catch (error) {
        // Over the monthly quota: the remaining new items are recorded as seen without a run
        // (they would otherwise all start at once next month) and the owners are told.
        const skipped = fresh.length - started;
        const what = `The poll of workflow ${trigger.workflow_id} (${skipped} new item(s))`;
        const refused = { workflowId: trigger.workflow_id, what };
        if (!(await recordQuotaRefusal(em, trigger.organization_id, error, refused))) throw error;
        deps.log.warn(
          { triggerId: trigger.id, skipped },
          'poll items skipped: monthly execution quota used up',
        );
        break;
      }
    }
    await em.execute('update triggers set poll_state = ?::jsonb where id = ?', [
      JSON.stringify({ seen: nextSeen, lastPolledAt: now.toISOString() }),
      trigger.id,
    ]);
    return started;
  });
}

async function fetchPoll(deps: PollDeps, trigger: PollTrigger, config: HttpRequestConfig) {
  const url = new URL(config.url);
  for (const [name, value] of Object.entries(config.query))
    url.searchParams.append(name, String(value));
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(config.headers)) headers[name.toLowerCase()] = value;
  const client = trigger.allow_private_network ? deps.http.open : deps.http.strict;
  if (config.auth) {
    const signal = AbortSignal.timeout(30_000);
    const connection = await createSecretResolver(
      deps.orm,
      deps.secretBox,
      trigger.organization_id,
      client,
    ).resolveConnection(config.auth.connection, signal);
    Object.assign(headers, connection.headers);
    for (const [name, value] of Object.entries(connection.query ?? {}))
      url.searchParams.append(name, value);
  }
  let body: string | undefined;
  if (config.body !== undefined) {
    body = typeof config.body === 'string' ? config.body : JSON.stringify(config.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await client.request({
    method: config.method,
    url: url.href,
    headers,
    body,
    signal: AbortSignal.timeout(30_000),
  });
  if (!statusIsOk(response.status, config.okStatus))
    throw new Error(`${config.method} ${url.origin}${url.pathname} returned ${response.status}`);
  let parsed: unknown = response.body;
  if (/json/i.test(response.headers['content-type'] ?? '')) {
    try {
      parsed = JSON.parse(response.body);
    } catch {
      // keep the text
    }
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

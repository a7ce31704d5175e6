import { randomBytes } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { newId } from '../../src/db/ids';
import { withSystemContext } from '../../src/db/org-context';

export interface SeededOrg {
  orgId: string;
  ownerId: string;
  ownerEmail: string;
}

/** An organization with one owner, written through the app role (RLS applies, system context). */
export async function seedOrg(
  orm: MikroORM,
  options: { concurrencyLimit?: number; allowPrivateNetwork?: boolean } = {},
): Promise<SeededOrg> {
  const orgId = newId();
  const ownerId = newId();
  const ownerEmail = `owner-${randomBytes(3).toString('hex')}@example.test`;
  await withSystemContext(orm, async (em) => {
    await em.execute(
      `insert into organizations (id, name, plan_id, concurrency_limit, allow_private_network) values (?, 'Acme', 'free', ?, ?)`,
      [orgId, options.concurrencyLimit ?? null, options.allowPrivateNetwork ?? false],
    );
    await em.execute(`insert into users (id, email, name) values (?, ?, 'Olivia Owner')`, [
      ownerId,
      ownerEmail,
    ]);
    await em.execute(
      `insert into memberships (id, organization_id, user_id, role, created_at) values (?, ?, ?, 'owner', now())`,
      [newId(), orgId, ownerId],
    );
  });
  return { orgId, ownerId, ownerEmail };
}

export interface SeededWorkflow {
  workflowId: string;
  versionId: string;
  triggerId: string;
  token: string;
}

export interface TriggerSeed {
  kind?: 'webhook' | 'schedule' | 'poll' | 'manual';
  method?: string;
  respondMode?: 'accepted' | 'onCompletion';
  hmacSecretEnc?: string;
  cron?: string;
  timezone?: string;
  nextDueAt?: Date;
  pollIntervalSeconds?: number;
}

/** A workflow with one version (the given definition) and its trigger row. */
export async function seedWorkflow(
  orm: MikroORM,
  orgId: string,
  definition: Record<string, unknown>,
  trigger: TriggerSeed = {},
): Promise<SeededWorkflow> {
  const workflowId = newId();
  const versionId = newId();
  const triggerId = newId();
  const token = randomBytes(24).toString('base64url');
  await withSystemContext(orm, async (em) => {
    await em.execute(`insert into workflows (id, organization_id, name) values (?, ?, ?)`, [
      workflowId,
      orgId,
      String(definition.name ?? 'wf'),
    ]);
    await em.execute(
      `insert into workflow_versions (id, organization_id, workflow_id, version, definition) values (?, ?, ?, 1, ?::jsonb)`,
      [versionId, orgId, workflowId, JSON.stringify(definition)],
    );
    await em.execute(`update workflows set active_version_id = ? where id = ?`, [
      versionId,
      workflowId,
    ]);
    await em.execute(
      `insert into triggers (id, organization_id, workflow_id, version_id, kind, webhook_token, webhook_method, respond_mode,
                             hmac_secret_enc, cron, timezone, next_due_at, poll_interval_seconds, active)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, true)`,
      [
        triggerId,
        orgId,
        workflowId,
        versionId,
        trigger.kind ?? 'webhook',
        (trigger.kind ?? 'webhook') === 'webhook' ? token : null,
        trigger.method ?? 'POST',
        trigger.respondMode ?? 'accepted',
        trigger.hmacSecretEnc ?? null,
        trigger.cron ?? null,
        trigger.timezone ?? null,
        trigger.nextDueAt ?? null,
        trigger.pollIntervalSeconds ?? null,
      ],
    );
  });
  return { workflowId, versionId, triggerId, token };
}

/** webhook → transform: the smallest useful workflow. */
export function echoWorkflow(name = 'Echo'): Record<string, unknown> {
  return {
    format: 'maestro/workflow@1',
    name,
    nodes: [
      { id: 'hook', type: 'trigger.webhook', config: { method: 'POST' } },
      { id: 'shape', type: 'transform', config: { value: { got: '{{ trigger.body }}' } } },
    ],
    edges: [{ from: 'hook', to: 'shape' }],
  };
}

/** webhook → HTTP call to `url` (a slow local server in tests). */
export function httpWorkflow(url: string, name = 'Call'): Record<string, unknown> {
  return {
    format: 'maestro/workflow@1',
    name,
    nodes: [
      { id: 'hook', type: 'trigger.webhook', config: { method: 'POST' } },
      { id: 'call', type: 'action.http', config: { method: 'GET', url }, timeoutMs: 60_000 },
    ],
    edges: [{ from: 'hook', to: 'call' }],
  };
}

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface ExecutionRow {
  id: string;
  status: string;
  attempt: number;
  result: { status: string; steps: Record<string, { status: string; output?: unknown }> } | null;
  claimed_by: string | null;
  cancel_requested_at: Date | null;
}

export async function readExecution(orm: MikroORM, id: string): Promise<ExecutionRow | undefined> {
  const [row] = await withSystemContext(orm, (em) =>
    em.execute<ExecutionRow[]>(
      'select id, status, attempt, result, claimed_by, cancel_requested_at from executions where id = ?',
      [id],
    ),
  );
  return row;
}

export function waitForStatus(
  orm: MikroORM,
  id: string,
  statuses: string[],
  timeoutMs = 15_000,
): Promise<ExecutionRow> {
  return eventually(
    async () => {
      const row = await readExecution(orm, id);
      return row && statuses.includes(row.status) ? row : undefined;
    },
    timeoutMs,
    `execution ${id} to reach ${statuses.join('|')}`,
  );
}

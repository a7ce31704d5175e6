import type { MikroORM } from '@mikro-orm/postgresql';
import { withSystemContext } from '../db/org-context';
import { KEY_TTL_HOURS } from '../http/idempotency';

const PRUNE_LOCK = 7_104_202_602;

export interface PruneResult {
  executions: number;
  outbox: number;
  dedupes: number;
  fires: number;
  idempotencyKeys: number;
}

/**
 * Deletes executions older than `retentionDays` (their steps and logs go with
 * them: ON DELETE CASCADE), sent outbox rows older than a day, expired
 * webhook dedupe keys, old schedule fires and Idempotency-Key records past
 * their time to live. In chunks, so no statement
 * holds locks for long; an advisory lock keeps two schedulers from pruning at
 * the same time (running it twice is harmless).
 */
export async function pruneOldData(
  orm: MikroORM,
  retentionDays: number,
  chunk = 5_000,
): Promise<PruneResult> {
  const result: PruneResult = {
    executions: 0,
    outbox: 0,
    dedupes: 0,
    fires: 0,
    idempotencyKeys: 0,
  };
  const steps: [keyof PruneResult, string, unknown[]][] = [
    [
      'executions',
      `delete from executions where id in (select id from executions where created_at < now() - make_interval(days => ?) limit ?)`,
      [retentionDays, chunk],
    ],
    [
      'outbox',
      `delete from outbox where id in (select id from outbox where sent_at < now() - interval '1 day' limit ?)`,
      [chunk],
    ],
    [
      'dedupes',
      `delete from webhook_dedupes where (trigger_id, key) in (select trigger_id, key from webhook_dedupes where expires_at < now() limit ?)`,
      [chunk],
    ],
    [
      'fires',
      `delete from schedule_fires where (trigger_id, due_at) in (select trigger_id, due_at from schedule_fires where fired_at < now() - make_interval(days => ?) limit ?)`,
      [retentionDays, chunk],
    ],
    [
      'idempotencyKeys',
      `delete from idempotency_records where (organization_id, key) in (select organization_id, key from idempotency_records where created_at < now() - make_interval(hours => ?) limit ?)`,
      [KEY_TTL_HOURS, chunk],
    ],
  ];
  for (const [name, sql, params] of steps) {
    for (;;) {
      const deleted = await withSystemContext(orm, async (em) => {
        const [lock] = await em.execute<{ ok: boolean }[]>(
          'select pg_try_advisory_xact_lock(?) as ok',
          [PRUNE_LOCK],
        );
        if (!lock?.ok) return -1;
        const res = await em.execute(sql, params, 'run');
        return (res as { affectedRows?: number }).affectedRows ?? 0;
      });
      if (deleted < 0) return result;
      result[name] += deleted;
      if (deleted < chunk) break;
    }
  }
  return result;
}

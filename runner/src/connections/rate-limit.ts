import { setTimeout as sleep } from 'node:timers/promises';
import type { MikroORM } from '@mikro-orm/postgresql';
import { StepError } from '../../../shared/src/engine/step-error';
import { withOrgContext } from '../db/org-context';

export interface RateLimit {
  requests: number;
  intervalMs: number;
}

/**
 * The time of the next slot: now, unless `requests` slots were already taken within the
 * interval before — then one interval after the oldest of them. So no window of `intervalMs`
 * ever holds more than `requests` slots (a sliding log, not a fixed window that lets twice the
 * limit through across a boundary). `slots` are ascending; the result keeps the last `requests`.
 */
export function nextSlot(
  slots: readonly number[],
  now: number,
  limit: RateLimit,
): { at: number; slots: number[] } {
  const recent = slots.filter((s) => s > now - limit.intervalMs);
  const blocking =
    recent.length >= limit.requests ? recent[recent.length - limit.requests] : undefined;
  const at = blocking === undefined ? now : Math.max(now, blocking + limit.intervalMs);
  return { at, slots: [...recent, at].slice(-limit.requests) };
}

/**
 * Takes a slot of the connection's rate limit, shared by every worker (the slot list is one
 * row, locked while it changes; the database clock is the one clock), then waits for it: a step
 * over the limit is delayed, not failed. A run canceled or timed out while waiting stops waiting
 * (its slot stays taken: slots are never handed back).
 */
export async function waitForRateLimitSlot(
  orm: MikroORM,
  organizationId: string,
  connectionId: string,
  limit: RateLimit,
  signal: AbortSignal,
): Promise<void> {
  const waitMs = await withOrgContext(orm, organizationId, async (em) => {
    await em.execute(
      `insert into connection_rate_slots (connection_id, organization_id) values (?, ?) on conflict do nothing`,
      [connectionId, organizationId],
    );
    const [row] = await em.execute<{ slots: number[]; now: string }[]>(
      `select slots, (extract(epoch from clock_timestamp()) * 1000)::bigint::text as now
         from connection_rate_slots where connection_id = ? for update`,
      [connectionId],
    );
    const now = Number(row?.now);
    const next = nextSlot(row?.slots ?? [], now, limit);
    await em.execute(`update connection_rate_slots set slots = ?::jsonb where connection_id = ?`, [
      JSON.stringify(next.slots),
      connectionId,
    ]);
    return next.at - now;
  });
  if (waitMs <= 0) return;
  try {
    await sleep(waitMs, undefined, { signal });
  } catch {
    throw signal.reason instanceof Error ? signal.reason : new StepError('CANCELED', 'canceled');
  }
}

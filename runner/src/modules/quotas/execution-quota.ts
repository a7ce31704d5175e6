import type { EntityManager } from '@mikro-orm/postgresql';
import { HttpProblem } from '../../http/problem';
import { monthWindow, secondsUntilNextMonth } from './month-window';

/** `type` of the problem answered when an organization's monthly quota is used up. */
export const QUOTA_PROBLEM_TYPE = 'https://maestro.dev/problems/execution-quota-exceeded';

/**
 * Added to the statements that insert executions (after their `e` CTE, which returns the
 * inserted `id, organization_id`): counts them into `execution_usage` in the same statement,
 * so the count costs no extra round trip. The shard comes from the backend pid: two
 * transactions in flight use two connections, so they rarely wait on the same row.
 */
export const COUNT_USAGE_CTE = `u as (
  insert into execution_usage (organization_id, month, shard, executions)
  select organization_id, date_trunc('month', now() at time zone 'UTC')::date, pg_backend_pid() % 16, count(*)
    from e group by organization_id
  on conflict (organization_id, month, shard) do update set executions = execution_usage.executions + excluded.executions
)`;

/** Refused: the organization has started its plan's executions for this month. */
export class QuotaExceeded extends HttpProblem {
  override name = 'QuotaExceeded';
  constructor(
    readonly usage: { plan: string; quota: number; used: number },
    /** When it was refused: the month it counts in. */
    readonly at = new Date(),
  ) {
    const now = at;
    const window = monthWindow(now);
    super(
      429,
      `this organization has started ${usage.used} of the ${usage.quota} executions its plan "${usage.plan}" allows in ${window.month} (UTC); ` +
        `new executions can start from ${window.next.toISOString()}`,
      undefined,
      { 'retry-after': String(secondsUntilNextMonth(now)) },
    );
  }

  override toProblem() {
    return { ...super.toProblem(), type: QUOTA_PROBLEM_TYPE, title: 'Execution quota exceeded' };
  }
}

/** Runs one SQL statement in whatever context the caller has (org or system transaction). */
export type QueryRunner = <T>(sql: string, params: unknown[]) => Promise<T[]>;

/** A QueryRunner on `em` (its transaction, its organization or system context). */
export const queryIn =
  (em: EntityManager): QueryRunner =>
  <T>(sql: string, params: unknown[]) =>
    em.execute<T[]>(sql, params);

export interface Usage {
  plan: string;
  /** null = unlimited. */
  quota: number | null;
  used: number;
  month: string;
}

/** This month's count (all shards) and the plan's quota, read from the database. */
export async function readUsage(
  query: QueryRunner,
  orgId: string,
  now = new Date(),
): Promise<Usage> {
  const { month, start } = monthWindow(now);
  const [row] = await query<{ plan: string; quota: number | null; used: number }>(
    `select p.id as plan, p.max_executions_per_month as quota,
            coalesce((select sum(u.executions) from execution_usage u
                       where u.organization_id = o.id and u.month = ?::date), 0)::int as used
       from organizations o join plans p on p.id = o.plan_id
      where o.id = ?`,
    [start.toISOString().slice(0, 10), orgId],
  );
  if (!row) throw new Error(`readUsage: organization ${orgId} not found`);
  return { ...row, month };
}

interface CachedUsage extends Usage {
  readAt: number;
}

/** How long a process trusts its view of an organization's usage before reading it again. */
export const USAGE_CACHE_TTL_MS = 5_000;
const cache = new Map<string, CachedUsage>();
const loading = new Map<string, Promise<CachedUsage>>();

export interface Reservation {
  /** Gives the executions back (the insert failed or matched an existing execution). */
  release(): void;
}

/**
 * Takes `count` executions from the organization's monthly quota before they are inserted,
 * or throws QuotaExceeded. The decision is made in memory: each process reads the database
 * count at most every USAGE_CACHE_TTL_MS per organization (or when the month changes) and adds
 * what it has reserved since, so within one process the limit is exact and across processes
 * it can be passed by what the others start within that interval (docs/runner.md, Quotas).
 * The count itself is kept by COUNT_USAGE_CTE in the insert statement.
 */
export async function reserveExecutions(
  query: QueryRunner,
  orgId: string,
  count = 1,
  now = new Date(),
): Promise<Reservation> {
  const usage = await currentUsage(query, orgId, now);
  if (usage.quota !== null && usage.used + count > usage.quota) {
    throw new QuotaExceeded({ plan: usage.plan, quota: usage.quota, used: usage.used }, now);
  }
  usage.used += count;
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      if (cache.get(orgId) === usage) usage.used -= count;
    },
  };
}

async function currentUsage(query: QueryRunner, orgId: string, now: Date): Promise<CachedUsage> {
  const hit = cache.get(orgId);
  if (
    hit &&
    now.getTime() - hit.readAt < USAGE_CACHE_TTL_MS &&
    hit.month === monthWindow(now).month
  )
    return hit;
  let pending = loading.get(orgId);
  if (!pending) {
    pending = readUsage(query, orgId, now)
      .then((usage) => {
        const fresh = { ...usage, readAt: now.getTime() };
        cache.set(orgId, fresh);
        if (cache.size > 50_000) cache.delete(cache.keys().next().value as string);
        return fresh;
      })
      .finally(() => loading.delete(orgId));
    loading.set(orgId, pending);
  }
  return pending;
}

/** Forgets this process's view of an organization (after a plan change in this process). */
export function forgetUsage(orgId: string): void {
  cache.delete(orgId);
}

import { defineEntity, p } from '@mikro-orm/core';

/**
 * Executions started per organization and calendar month (UTC), for plan quotas
 * (runner/src/modules/quotas). Each insert statement adds to one of 16 shards chosen by the
 * PostgreSQL backend, so concurrent group commits do not queue on a single hot row; the month's
 * usage is the sum of its shards.
 */
export const ExecutionUsage = defineEntity({
  name: 'ExecutionUsage',
  tableName: 'execution_usage',
  primaryKeys: ['organizationId', 'month', 'shard'],
  properties: {
    organizationId: p.uuid().primary(),
    /** The first day of the month (UTC). */
    month: p.date().primary(),
    shard: p.smallint().primary(),
    executions: p.integer(),
  },
});

/**
 * Fixed-window request counters shared by every API process (runner/src/http/rate-limits.ts).
 * The table is UNLOGGED (created so by the migration): a crash empties it, which only resets
 * the windows, and a commit that touched nothing else does not wait for a WAL flush.
 */
export const RateLimitHit = defineEntity({
  name: 'RateLimitHit',
  tableName: 'rate_limit_hits',
  properties: {
    key: p.string().length(300).primary(),
    windowStart: p.datetime(),
    hits: p.integer(),
  },
});

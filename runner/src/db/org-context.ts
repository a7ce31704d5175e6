import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Runs `fn` in a transaction scoped to one organization: the `org` filter limits every
 * ORM query and `maestro.org_id` (SET LOCAL) makes PostgreSQL's RLS policies do the same.
 * @example await withOrgContext(orm, orgId, (em) => em.find(Workflow, {}));
 */
export async function withOrgContext<T>(
  orm: MikroORM,
  orgId: string,
  fn: (em: EntityManager) => Promise<T>,
): Promise<T> {
  if (!UUID.test(orgId))
    throw new Error(`withOrgContext: not an organization id: ${JSON.stringify(orgId)}`);
  const em = orm.em.fork({ clear: true });
  em.setFilterParams('org', { orgId });
  return em.transactional(async (tx) => {
    await tx.execute(`select set_config('maestro.org_id', ?, true)`, [orgId]);
    return fn(tx);
  });
}

/**
 * Runs `fn` in a transaction that sees every organization: `maestro.system = on` satisfies
 * the RLS policies and the `org` filter is opened. Only for platform work that has no single
 * organization (claiming executions, relaying the outbox, firing schedules, resolving webhook
 * tokens and API keys, pruning); request handlers use withOrgContext.
 */
export async function withSystemContext<T>(
  orm: MikroORM,
  fn: (em: EntityManager) => Promise<T>,
): Promise<T> {
  const em = orm.em.fork({ clear: true });
  em.setFilterParams('org', { system: true });
  return em.transactional(async (tx) => {
    await tx.execute(`select set_config('maestro.system', 'on', true)`);
    return fn(tx);
  });
}

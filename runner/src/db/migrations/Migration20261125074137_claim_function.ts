import { Migration } from '@mikro-orm/migrations';

/**
 * `maestro_claim_executions`: the worker's batched claim (docs/decisions/0005, "Claims and
 * leases"; 0008) in one round trip instead of five (begin, advisory locks, free slots, update,
 * commit). A VOLATILE function takes a new snapshot for each statement, so the free slots are
 * counted after the organization locks are held — as the separate statements did. Runs as the
 * caller (RLS applies; the worker calls it with maestro.system on). One row per distinct id:
 * `claimed` with the execution's data, else its current `status` (null: no such execution)
 * and whether it was `limited` by the organization's concurrency limit.
 */
export class Migration20261125074137_claim_function extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create or replace function maestro_claim_executions(
  p_ids uuid[], p_orgs uuid[], p_worker text, p_lease_secs double precision)
returns table (id uuid, claimed boolean, limited boolean, status text, organization_id uuid,
  workflow_id uuid, version_id uuid, input jsonb, attempt int, trigger_kind text,
  cancel_requested_at timestamptz, allow_private_network boolean)
language plpgsql volatile as $fn$
#variable_conflict use_column
begin
  -- Sorted lock order: two workers locking overlapping sets cannot deadlock.
  perform pg_advisory_xact_lock(hashtext('maestro-claim:' || s.org))
     from (select distinct u.org from unnest(p_orgs) as u(org) order by u.org) as s;
  return query
  with req as (
    -- An id twice in one batch counts once (its first message).
    select distinct on (r.id) r.id, r.org, r.ord
      from unnest(p_ids, p_orgs) with ordinality as r(id, org, ord)
     order by r.id, r.ord
  ), ranked as (
    select req.id, row_number() over (partition by req.org order by req.ord) as n, req.org from req
  ), free as (
    select o.id,
           coalesce(o.concurrency_limit, p.max_concurrent_executions, 10)
           - (select count(*) from executions x
               where x.organization_id = o.id and x.status = 'running'
                 and x.heartbeat_at >= now() - make_interval(secs => p_lease_secs))::int as slots,
           o.allow_private_network
      from organizations o left join plans p on p.id = o.plan_id
     where o.id = any(p_orgs)
  ), allowed as (
    select ranked.id from ranked join free on free.id = ranked.org where ranked.n <= free.slots
  ), won as (
    update executions e
       set status = 'running', attempt = e.attempt + 1, claimed_by = p_worker,
           started_at = coalesce(e.started_at, now()), heartbeat_at = now()
     where e.id = any(p_ids) -- the primary key, not the status index (dead 'running' entries pile up)
       and e.id in (select allowed.id from allowed)
       and (e.status = 'pending'
            or (e.status = 'running' and e.heartbeat_at < now() - make_interval(secs => p_lease_secs)))
    returning e.id, e.organization_id, e.workflow_id, e.version_id, e.input, e.attempt,
              e.trigger_kind, e.cancel_requested_at
  )
  select w.id, true, false, 'running'::text, w.organization_id, w.workflow_id, w.version_id,
         w.input, w.attempt, w.trigger_kind, w.cancel_requested_at,
         coalesce((select f.allow_private_network from free f where f.id = w.organization_id), false)
    from won w
  union all
  select req.id, false, req.id not in (select allowed.id from allowed), e.status::text,
         null, null, null, null, null, null, null, null
    from req left join executions e on e.id = req.id
   where req.id not in (select won.id from won);
end
$fn$;`);
  }

  override async down(): Promise<void> {
    this.addSql(
      `drop function if exists maestro_claim_executions(uuid[], uuid[], text, double precision);`,
    );
  }
}

import type { EntityManager } from '@mikro-orm/postgresql';
import type { SlaBreach } from '../db/entities/sla';
import type { DigestBounds, DueWorkflow } from './alert-digests';

/**
 * MIN_SLA_SECONDS (the API contract's shortest limit, 10 s): runs that finish this long after
 * they were created are the rows of the partial index `executions_slow_turnaround_idx`
 * (migration sla_alerts), and the predicate below must stay the index's, word for word, for the
 * planner to use it.
 */
const SLOW_TURNAROUND = `e.finished_at - e.created_at >= interval '10 seconds'`;

const COLUMNS = 'e.id, e.workflow_id, e.organization_id, e.created_at, e.started_at, e.finished_at';
/** The `windows` CTE's columns from `workflow_slas s`. */
const SLA_LIMITS =
  's.workflow_id, s.organization_id, s.max_duration_seconds as max_duration, s.max_start_delay_seconds as max_delay';
const LIMIT_DURATION = 'make_interval(secs => w.max_duration)';
const LIMIT_DELAY = 'make_interval(secs => w.max_delay)';

/**
 * The breaches of the workflows in a `windows (workflow_id, organization_id, max_duration,
 * max_delay, since, through)` CTE whose moment falls in (since, through]. A breach has one
 * moment: started_at + maxDuration for a run still running then (`duration`), created_at +
 * maxStartDelay for one still pending then (`start_delay`). A cursor moved past it never
 * reports the execution again, whether it was still running or has finished since.
 *
 * Candidates come from three small index scans, never from every execution: the running rows
 * (executions_status_created_at_index: as many as runs in flight), the pending rows created in
 * the window shifted back by the delay (same index, a range), and the rows that finished after
 * `since` at least 10 s after creation (executions_slow_turnaround_idx): a run can only have
 * crossed a limit and finished since the last pass if it took that long.
 */
const BREACHES = `
  candidates as (
    select ${COLUMNS} from executions e join windows w on w.workflow_id = e.workflow_id
     where e.status = 'running'
    union all
    select p.* from windows w cross join lateral (
      select ${COLUMNS} from executions e
       where e.status = 'pending' and e.workflow_id = w.workflow_id
         and e.created_at > w.since - ${LIMIT_DELAY} and e.created_at <= w.through - ${LIMIT_DELAY}
    ) p where w.max_delay is not null
    union all
    select f.* from windows w cross join lateral (
      select ${COLUMNS} from executions e
       where e.workflow_id = w.workflow_id and e.finished_at > w.since and ${SLOW_TURNAROUND}
    ) f
  ),
  breaches as (
    select c.id, c.workflow_id, c.organization_id, 'duration' as kind,
           c.started_at + ${LIMIT_DURATION} as breached_at
      from candidates c join windows w on w.workflow_id = c.workflow_id
     where c.started_at is not null
       and coalesce(c.finished_at, 'infinity') > c.started_at + ${LIMIT_DURATION}
    union all
    select c.id, c.workflow_id, c.organization_id, 'start_delay' as kind,
           c.created_at + ${LIMIT_DELAY} as breached_at
      from candidates c join windows w on w.workflow_id = c.workflow_id
     where w.max_delay is not null
       and coalesce(c.started_at, c.finished_at, 'infinity') > c.created_at + ${LIMIT_DELAY}
  ),
  due as (
    select b.* from breaches b join windows w on w.workflow_id = b.workflow_id
     where b.breached_at > w.since and b.breached_at <= w.through
  )`;

/**
 * Workflows with an SLA, a breach since their cursor (or since the SLA was set, at most the
 * lookback) and a passed window. System context: reads ids only.
 */
export function findWorkflowsWithBreaches(
  em: EntityManager,
  bounds: DigestBounds,
  batch: number,
): Promise<DueWorkflow[]> {
  return em.execute<DueWorkflow[]>(
    `with windows as (
       select ${SLA_LIMITS},
              greatest(c.alerted_through, s.created_at, ?::timestamptz) as since, ?::timestamptz as through
         from workflow_slas s left join sla_alert_cursors c on c.workflow_id = s.workflow_id
        where c.last_alert_at is null or c.last_alert_at <= ?
     ), ${BREACHES}
     select distinct organization_id, workflow_id from due limit ?`,
    [bounds.from, bounds.to, bounds.dueBefore, batch],
  );
}

export interface SlaBreaches {
  count: number;
  firstBreachedAt: Date;
  lastBreachedAt: Date;
  /** The newest, newest first. */
  latest: SlaBreach[];
  maxDurationSeconds: number;
  maxStartDelaySeconds: number | null;
}

/** How many breaches an alert lists; the count covers them all. */
const LISTED = 20;

/** The breaches of one workflow in (since, through], or undefined when there are none. */
export async function breachesBetween(
  em: EntityManager,
  workflowId: string,
  since: Date,
  through: Date,
): Promise<SlaBreaches | undefined> {
  const rows = await em.execute<
    {
      id: string;
      kind: SlaBreach['kind'];
      breached_at: string;
      total: number;
      first_at: string;
      last_at: string;
      max_duration: number;
      max_delay: number | null;
    }[]
  >(
    `with windows as (
       select ${SLA_LIMITS},
              greatest(?::timestamptz, s.created_at) as since, ?::timestamptz as through
         from workflow_slas s where s.workflow_id = ?
     ), ${BREACHES}
     select d.id, d.kind, d.breached_at, w.max_duration, w.max_delay,
            count(*) over ()::int as total, min(d.breached_at) over () as first_at,
            max(d.breached_at) over () as last_at
       from due d join windows w on w.workflow_id = d.workflow_id
      order by d.breached_at desc, d.id desc limit ${LISTED}`,
    [since, through, workflowId],
  );
  const [first] = rows;
  if (!first) return undefined;
  return {
    count: first.total,
    firstBreachedAt: new Date(first.first_at),
    lastBreachedAt: new Date(first.last_at),
    latest: rows.map((r) => ({
      executionId: r.id,
      kind: r.kind,
      breachedAt: new Date(r.breached_at).toISOString(),
    })),
    maxDurationSeconds: first.max_duration,
    maxStartDelaySeconds: first.max_delay,
  };
}

import type { EntityManager } from '@mikro-orm/postgresql';
import {
  ALERT_TIMING,
  recordDigests,
  type AlertTiming,
  type DigestBounds,
  type DigestKind,
  type RecordAlertsOptions,
} from './alert-digests';
import {
  describeFailureDigest,
  FAILURE_ALERT_KIND,
  type FailureDigest,
} from './failure-alert-message';

export type { RecordAlertsOptions } from './alert-digests';
/** Failure alerts use the shared timing (decision 0016). */
export type FailureAlertTiming = AlertTiming;
export const FAILURE_ALERT_TIMING = ALERT_TIMING;

/** The failures of a digest; the workflow is named by the alert row. */
type Failures = Omit<FailureDigest, 'workflowId' | 'workflowName'>;

interface StoredFailureAlert {
  workflow_id: string;
  name: string;
  failures: number;
  first_failed_at: string;
  last_failed_at: string;
  first_error: FailureDigest['firstError'];
  latest_execution_ids: string[];
}

/** Failed executions, counted by finish time (decision 0016). */
export const FAILURE_DIGESTS: DigestKind<Failures> = {
  kind: FAILURE_ALERT_KIND,
  cursorTable: 'failure_alert_cursors',
  alertTable: 'failure_alerts',
  findDue: (em: EntityManager, bounds: DigestBounds, batch: number) =>
    em.execute(
      `select e.organization_id, e.workflow_id
         from executions e
         left join failure_alert_cursors c on c.workflow_id = e.workflow_id
        where e.status = 'failed' and e.finished_at > ? and e.finished_at <= ?
          and (c.workflow_id is null or (e.finished_at > c.alerted_through and (c.last_alert_at is null or c.last_alert_at <= ?)))
        group by e.organization_id, e.workflow_id
        limit ?`,
      [bounds.from, bounds.to, bounds.dueBefore, batch],
    ),
  collect: (em, workflowId, since, bounds) => failuresBetween(em, workflowId, since, bounds.to),
  alertColumns: (digest) => ({
    failures: digest.failures,
    first_failed_at: digest.firstFailedAt,
    last_failed_at: digest.lastFailedAt,
    first_error: digest.firstError,
    latest_execution_ids: digest.latestExecutionIds,
  }),
  async readStored(em, alertId) {
    const [row] = await em.execute<StoredFailureAlert[]>(
      `select a.workflow_id, w.name, a.failures, a.first_failed_at, a.last_failed_at, a.first_error, a.latest_execution_ids
         from failure_alerts a join workflows w on w.id = a.workflow_id
        where a.id = ?`,
      [alertId],
    );
    if (!row) return undefined;
    return {
      workflow: { id: row.workflow_id, name: row.name },
      digest: {
        failures: row.failures,
        firstFailedAt: new Date(row.first_failed_at),
        lastFailedAt: new Date(row.last_failed_at),
        firstError: row.first_error,
        latestExecutionIds: row.latest_execution_ids,
      },
    };
  },
  executionOf: (digest) => digest.latestExecutionIds[0] ?? null,
  describe: (workflow, digest, publicUrl) =>
    describeFailureDigest(
      { workflowId: workflow.id, workflowName: workflow.name, ...digest },
      publicUrl,
    ),
};

/**
 * Writes one digest per workflow whose failures are due (alert-digests.ts: cursor locked,
 * alert, notifications and the moved cursor in one transaction). Returns the alert ids.
 */
export const recordFailureAlerts = (options: RecordAlertsOptions, now = new Date()) =>
  recordDigests(FAILURE_DIGESTS, options, now);

/** The failures of a workflow finished in (since, until], or undefined when there are none. */
async function failuresBetween(
  em: EntityManager,
  workflowId: string,
  since: Date,
  until: Date,
): Promise<Failures | undefined> {
  const range = `from executions where workflow_id = ? and status = 'failed' and finished_at > ? and finished_at <= ?`;
  const params = [workflowId, since, until];
  const [summary] = await em.execute<
    { failures: number; first_at: string | null; last_at: string | null }[]
  >(
    `select count(*)::int as failures, min(finished_at) as first_at, max(finished_at) as last_at ${range}`,
    params,
  );
  if (!summary?.failures || !summary.first_at || !summary.last_at) return undefined;
  const [first] = await em.execute<{ error: FailureDigest['firstError'] }[]>(
    `select error ${range} order by finished_at, id limit 1`,
    params,
  );
  const latest = await em.execute<{ id: string }[]>(
    `select id ${range} order by finished_at desc, id desc limit 5`,
    params,
  );
  return {
    failures: summary.failures,
    firstFailedAt: new Date(summary.first_at),
    lastFailedAt: new Date(summary.last_at),
    firstError: first?.error ?? null,
    latestExecutionIds: latest.map((row) => row.id),
  };
}

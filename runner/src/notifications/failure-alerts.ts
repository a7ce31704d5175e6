import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { StepErrorInfo } from '../../../shared/src/model/run-result';
import { newId } from '../db/ids';
import { withOrgContext, withSystemContext } from '../db/org-context';
import { failureAlertRecipients } from './alert-recipients';
import { describeFailureDigest, FAILURE_ALERT_KIND } from './failure-alert-message';

export interface FailureAlertTiming {
  /** At most one digest per workflow per window; failures in between wait for the next one. */
  windowMs: number;
  /**
   * Failures finished less than this long ago are left for the next pass: a finish is stored
   * a few milliseconds after its `finished_at` (the worker's clock), and the cursor must not
   * pass a failure that is still being committed.
   */
  settleMs: number;
  /** How far back a workflow without a cursor, or a long scheduler outage, is looked at. */
  lookbackMs: number;
}

/** Every failure is told within window + tick (4.5 min): the 5-minute rule of PRODUCT.md. */
export const FAILURE_ALERT_TIMING: FailureAlertTiming = {
  windowMs: 240_000,
  settleMs: 10_000,
  lookbackMs: 3_600_000,
};

export interface RecordAlertsOptions {
  orm: MikroORM;
  publicUrl: string;
  timing?: FailureAlertTiming;
  /** Workflows handled per pass; the rest wait for the next tick. */
  batch?: number;
}

interface Cursor {
  alerted_through: string;
  last_alert_at: string | null;
}

/**
 * Writes one digest per workflow whose failures are due: an alert row, an in-app
 * notification per recipient, and the moved cursor, in one transaction of the workflow's
 * organization. The cursor row is locked (SKIP LOCKED) first and read again under the lock,
 * so several schedulers never write the same digest; a crash before the commit leaves the
 * cursor where it was, and the next pass writes it. Returns the ids of the alerts written.
 */
export async function recordFailureAlerts(
  options: RecordAlertsOptions,
  now = new Date(),
): Promise<string[]> {
  const timing = options.timing ?? FAILURE_ALERT_TIMING;
  const bounds = {
    from: new Date(now.getTime() - timing.lookbackMs),
    to: new Date(now.getTime() - timing.settleMs),
    dueBefore: new Date(now.getTime() - timing.windowMs),
  };
  // Platform work across organizations (like the poller): only ids are read here.
  const due = await withSystemContext(options.orm, (em) =>
    em.execute<{ organization_id: string; workflow_id: string }[]>(
      `select e.organization_id, e.workflow_id
         from executions e
         left join failure_alert_cursors c on c.workflow_id = e.workflow_id
        where e.status = 'failed' and e.finished_at > ? and e.finished_at <= ?
          and (c.workflow_id is null or (e.finished_at > c.alerted_through and (c.last_alert_at is null or c.last_alert_at <= ?)))
        group by e.organization_id, e.workflow_id
        limit ?`,
      [bounds.from, bounds.to, bounds.dueBefore, options.batch ?? 100],
    ),
  );
  const written: string[] = [];
  for (const { organization_id: orgId, workflow_id: workflowId } of due) {
    const id = await withOrgContext(options.orm, orgId, (em) =>
      recordOne(em, options.publicUrl, { orgId, workflowId, now, ...bounds }),
    );
    if (id) written.push(id);
  }
  return written;
}

async function recordOne(
  em: EntityManager,
  publicUrl: string,
  at: { orgId: string; workflowId: string; now: Date; from: Date; to: Date; dueBefore: Date },
): Promise<string | undefined> {
  await em.execute(
    `insert into failure_alert_cursors (workflow_id, organization_id, alerted_through) values (?, ?, ?)
     on conflict (workflow_id) do nothing`,
    [at.workflowId, at.orgId, at.from],
  );
  const [cursor] = await em.execute<Cursor[]>(
    `select alerted_through, last_alert_at from failure_alert_cursors
      where workflow_id = ? and organization_id = ? for update skip locked`,
    [at.workflowId, at.orgId],
  );
  // Another scheduler holds it, or sent a digest within the window since we looked.
  if (!cursor) return undefined;
  if (cursor.last_alert_at && new Date(cursor.last_alert_at) > at.dueBefore) return undefined;
  const since = new Date(Math.max(new Date(cursor.alerted_through).getTime(), at.from.getTime()));
  const failed = await failuresBetween(em, at.workflowId, since, at.to);
  if (!failed) return undefined;
  const [workflow] = await em.execute<{ name: string; restricted: boolean }[]>(
    'select name, restricted from workflows where id = ? and organization_id = ?',
    [at.workflowId, at.orgId],
  );
  if (!workflow) return undefined;
  const recipients = await failureAlertRecipients(em, at.orgId, {
    id: at.workflowId,
    restricted: workflow.restricted,
  });
  const { title, body } = describeFailureDigest(
    { workflowId: at.workflowId, workflowName: workflow.name, ...failed },
    publicUrl,
  );
  const alertId = newId();
  const recipientIds = JSON.stringify(recipients.map((r) => r.userId));
  await em.execute(
    `insert into failure_alerts (id, organization_id, workflow_id, failures, first_failed_at, last_failed_at, first_error,
                                 latest_execution_ids, recipient_ids, email_pending, emailed_at, created_at)
     values (?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?::jsonb, ?::jsonb, ?, ?)`,
    [
      alertId,
      at.orgId,
      at.workflowId,
      failed.failures,
      failed.firstFailedAt,
      failed.lastFailedAt,
      failed.firstError ? JSON.stringify(failed.firstError) : null,
      JSON.stringify(failed.latestExecutionIds),
      recipientIds,
      recipientIds,
      // Nobody to email (everyone muted): nothing is left to send.
      recipients.length === 0 ? at.now : null,
      at.now,
    ],
  );
  if (recipients.length > 0) {
    await em.execute(
      `insert into notifications (id, organization_id, user_id, kind, title, body, created_at)
       select gen_random_uuid(), ?, r.user_id::uuid, ?, ?, ?, ? from jsonb_array_elements_text(?::jsonb) as r(user_id)`,
      [at.orgId, FAILURE_ALERT_KIND, title, body, at.now, recipientIds],
    );
  }
  await em.execute(
    'update failure_alert_cursors set alerted_through = ?, last_alert_at = ? where workflow_id = ?',
    [at.to, at.now, at.workflowId],
  );
  return alertId;
}

/** The failures of a workflow finished in (since, until], or undefined when there are none. */
async function failuresBetween(em: EntityManager, workflowId: string, since: Date, until: Date) {
  const range = `from executions where workflow_id = ? and status = 'failed' and finished_at > ? and finished_at <= ?`;
  const params = [workflowId, since, until];
  const [summary] = await em.execute<
    { failures: number; first_at: string | null; last_at: string | null }[]
  >(
    `select count(*)::int as failures, min(finished_at) as first_at, max(finished_at) as last_at ${range}`,
    params,
  );
  if (!summary?.failures || !summary.first_at || !summary.last_at) return undefined;
  const [first] = await em.execute<{ error: (StepErrorInfo & { step?: string }) | null }[]>(
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

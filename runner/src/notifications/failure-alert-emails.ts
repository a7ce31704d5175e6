import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { withOrgContext, withSystemContext } from '../db/org-context';
import type { Log } from '../worker/logger';
import { describeFailureDigest, type FailureDigest } from './failure-alert-message';
import type { Mailer } from './mailer';

/** An alert whose emails keep failing is given up after this many passes (in-app stays). */
export const MAX_EMAIL_ATTEMPTS = 5;

export interface SendAlertEmailsOptions {
  orm: MikroORM;
  mailer: Mailer;
  log: Log;
  publicUrl: string;
  batch?: number;
}

interface AlertRow {
  workflow_id: string;
  name: string;
  failures: number;
  first_failed_at: string;
  last_failed_at: string;
  first_error: FailureDigest['firstError'];
  latest_execution_ids: string[];
}

interface PendingAlert {
  id: string;
  organization_id: string;
}

/**
 * Emails the alerts that still have recipients to reach (`email_pending`), each under its
 * row lock (SKIP LOCKED: one scheduler per alert) and in its organization's context. The
 * list shrinks by the addresses that were sent in the same transaction; an SMTP error leaves
 * the rest for the next pass. A crash after sending but before the commit sends again: at
 * least once, never lost.
 */
export async function sendFailureAlertEmails(options: SendAlertEmailsOptions): Promise<number> {
  const pending = await withSystemContext(options.orm, (em) =>
    em.execute<PendingAlert[]>(
      `select id, organization_id from failure_alerts
        where emailed_at is null and email_attempts < ? order by created_at limit ?`,
      [MAX_EMAIL_ATTEMPTS, options.batch ?? 50],
    ),
  );
  let sent = 0;
  for (const alert of pending)
    sent += await withOrgContext(options.orm, alert.organization_id, (em) =>
      emailAlert(options, em, alert.id),
    );
  return sent;
}

/** One alert, under its row lock: the pending recipients emailed, the list shrunk by them. */
async function emailAlert(
  options: SendAlertEmailsOptions,
  em: EntityManager,
  alertId: string,
): Promise<number> {
  const [row] = await em.execute<AlertRow[]>(
    `select a.workflow_id, w.name, a.failures, a.first_failed_at, a.last_failed_at, a.first_error, a.latest_execution_ids
       from failure_alerts a join workflows w on w.id = a.workflow_id
      where a.id = ? and a.emailed_at is null for update of a skip locked`,
    [alertId],
  );
  if (!row) return 0;
  const { title, body } = describeFailureDigest(
    {
      workflowId: row.workflow_id,
      workflowName: row.name,
      failures: row.failures,
      firstFailedAt: new Date(row.first_failed_at),
      lastFailedAt: new Date(row.last_failed_at),
      firstError: row.first_error,
      latestExecutionIds: row.latest_execution_ids,
    },
    options.publicUrl,
  );
  const recipients = await em.execute<{ id: string; email: string }[]>(
    `select u.id, u.email from failure_alerts a
       cross join jsonb_array_elements_text(a.email_pending) as p(user_id)
       join users u on u.id = p.user_id::uuid
      where a.id = ?`,
    [alertId],
  );
  const failed: string[] = [];
  let lastError: string | null = null;
  for (const recipient of recipients) {
    try {
      await options.mailer.send({ to: recipient.email, subject: title, text: body });
    } catch (error) {
      failed.push(recipient.id);
      lastError = error instanceof Error ? error.message : String(error);
      options.log.warn({ err: error, alertId }, 'could not email a failure alert');
    }
  }
  await em.execute(
    `update failure_alerts
        set email_pending = ?::jsonb, email_attempts = email_attempts + 1, last_email_error = ?,
            emailed_at = case when ? then now() end
      where id = ?`,
    [JSON.stringify(failed), lastError?.slice(0, 1000) ?? null, failed.length === 0, alertId],
  );
  return recipients.length - failed.length;
}

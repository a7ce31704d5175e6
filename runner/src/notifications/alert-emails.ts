import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { withOrgContext, withSystemContext } from '../db/org-context';
import type { Log } from '../worker/logger';
import type { DigestKind } from './alert-digests';
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

interface PendingAlert {
  id: string;
  organization_id: string;
}

/**
 * Emails the alerts of a kind that still have recipients to reach (`email_pending`), each
 * under its row lock (SKIP LOCKED: one scheduler per alert) and in its organization's
 * context. The list shrinks by the addresses that were sent in the same transaction; an SMTP
 * error leaves the rest for the next pass. A crash after sending but before the commit sends
 * again: at least once, never lost.
 */
export async function sendAlertEmails<D>(
  kind: DigestKind<D>,
  options: SendAlertEmailsOptions,
): Promise<number> {
  const pending = await withSystemContext(options.orm, (em) =>
    em.execute<PendingAlert[]>(
      `select id, organization_id from ${kind.alertTable}
        where emailed_at is null and email_attempts < ? order by created_at limit ?`,
      [MAX_EMAIL_ATTEMPTS, options.batch ?? 50],
    ),
  );
  let sent = 0;
  for (const alert of pending)
    sent += await withOrgContext(options.orm, alert.organization_id, (em) =>
      emailAlert(kind, options, em, alert.id),
    );
  return sent;
}

/** One alert, under its row lock: the pending recipients emailed, the list shrunk by them. */
async function emailAlert<D>(
  kind: DigestKind<D>,
  options: SendAlertEmailsOptions,
  em: EntityManager,
  alertId: string,
): Promise<number> {
  const [locked] = await em.execute<{ id: string }[]>(
    `select id from ${kind.alertTable} where id = ? and emailed_at is null for update skip locked`,
    [alertId],
  );
  const stored = locked ? await kind.readStored(em, alertId) : undefined;
  if (!stored) return 0;
  const { title, body } = kind.describe(stored.workflow, stored.digest, options.publicUrl);
  const recipients = await em.execute<{ id: string; email: string }[]>(
    `select u.id, u.email from ${kind.alertTable} a
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
      options.log.warn({ err: error, alertId, kind: kind.kind }, 'could not email an alert');
    }
  }
  await em.execute(
    `update ${kind.alertTable}
        set email_pending = ?::jsonb, email_attempts = email_attempts + 1, last_email_error = ?,
            emailed_at = case when ? then now() end
      where id = ?`,
    [JSON.stringify(failed), lastError?.slice(0, 1000) ?? null, failed.length === 0, alertId],
  );
  return recipients.length - failed.length;
}

import type { MikroORM } from '@mikro-orm/postgresql';
import { withSystemContext } from '../db/org-context';
import type { Mailer } from '../notifications/mailer';
import { insertNotifications } from '../notifications/notification-rows';
import type { Log } from '../worker/logger';

export const REAUTHORIZATION_NOTIFICATION_KIND = 'connection.needs_reauthorization';

interface PendingConnection {
  id: string;
  organization_id: string;
  name: string;
  last_error: string | null;
}

/**
 * Tells the owners of each organization about its connections that entered
 * `needs_reauthorization` (whoever found out: the scheduler, a worker run or a manual refresh):
 * an in-app notification per owner and an email through the mailer, once per episode
 * (`reauth_notified_at`). Each connection under its row lock (SKIP LOCKED: one scheduler sends).
 * A mail error is logged and not retried: the in-app notification is the record that stays.
 */
export async function notifyReauthorizationNeeded(
  deps: { orm: MikroORM; log: Log; mailer?: Mailer; publicUrl?: string },
  batch = 50,
): Promise<number> {
  let notified = 0;
  for (let i = 0; i < batch; i++) {
    const done = await withSystemContext(deps.orm, async (em) => {
      const [row] = await em.execute<PendingConnection[]>(
        `select id, organization_id, name, last_error from connections
          where status = 'needs_reauthorization' and reauth_notified_at is null
          limit 1 for update skip locked`,
      );
      if (!row) return false;
      const owners = await em.execute<{ user_id: string; email: string }[]>(
        `select m.user_id, u.email from memberships m join users u on u.id = m.user_id
          where m.organization_id = ? and m.role = 'owner'`,
        [row.organization_id],
      );
      const title = `Connection "${row.name}" needs to be authorized again`;
      const body =
        `The OAuth 2.0 token of connection "${row.name}" can no longer be refreshed` +
        `${row.last_error ? ` (${row.last_error})` : ''}. Workflows using it fail until its ` +
        `credentials are replaced (PUT /v1/connections/${row.id}/secrets with a new refresh token).` +
        (deps.publicUrl ? `\n\n${deps.publicUrl}` : '');
      await insertNotifications(em, {
        organizationId: row.organization_id,
        userIds: owners.map((owner) => owner.user_id),
        kind: REAUTHORIZATION_NOTIFICATION_KIND,
        title,
        body,
        about: { connectionId: row.id },
      });
      for (const owner of owners) {
        try {
          await deps.mailer?.send({ to: owner.email, subject: title, text: body });
        } catch (error) {
          deps.log.warn(
            { err: error, connectionId: row.id, userId: owner.user_id },
            'connection re-authorization email not sent',
          );
        }
      }
      await em.execute(`update connections set reauth_notified_at = now() where id = ?`, [row.id]);
      return true;
    });
    if (!done) break;
    notified++;
  }
  return notified;
}

import type { EntityManager } from '@mikro-orm/postgresql';
import { insertNotifications } from '../../notifications/notification-rows';
import { QuotaExceeded } from './execution-quota';
import { monthWindow } from './month-window';

export const QUOTA_NOTIFICATION_KIND = 'quota.exceeded';

/**
 * For schedules and polls, which have no client to answer 429 to: instead of dropping the run
 * silently, the organization's owners get an in-app notification, once per month (the first
 * refusal; later ones only go to the log).
 * Returns true when `error` was a QuotaExceeded (handled), false for any other error.
 */
export async function recordQuotaRefusal(
  em: EntityManager,
  orgId: string,
  error: unknown,
  refused: { workflowId: string; what: string },
): Promise<boolean> {
  if (!(error instanceof QuotaExceeded)) return false;
  const { start, next, month } = monthWindow(error.at);
  const [already] = await em.execute<{ id: string }[]>(
    `select id from notifications where organization_id = ? and kind = ? and created_at >= ? limit 1`,
    [orgId, QUOTA_NOTIFICATION_KIND, start],
  );
  if (already) return true;
  const owners = await em.execute<{ user_id: string }[]>(
    `select user_id from memberships where organization_id = ? and role = 'owner'`,
    [orgId],
  );
  const { plan, quota } = error.usage;
  const title = `Monthly execution quota reached (${quota} on plan "${plan}")`;
  const body =
    `${refused.what} did not start: this organization has used its ${quota} executions for ${month} (UTC). ` +
    `Schedules and polls start nothing until ${next.toISOString()}; webhooks and API starts are refused with 429.`;
  await insertNotifications(em, {
    organizationId: orgId,
    userIds: owners.map((owner) => owner.user_id),
    kind: QUOTA_NOTIFICATION_KIND,
    title,
    body,
    about: { workflowId: refused.workflowId },
  });
  return true;
}

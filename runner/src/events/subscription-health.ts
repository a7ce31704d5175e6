import type { EntityManager } from '@mikro-orm/postgresql';
import { AuditEvent } from '../db/entities/audit';
import { insertNotifications } from '../notifications/notification-rows';

export const SUBSCRIPTION_DISABLED_KIND = 'event_subscription.disabled';

/** A successful delivery: the subscription is healthy again. */
export async function markSubscriptionHealthy(
  em: EntityManager,
  subscriptionId: string,
): Promise<void> {
  await em.execute(
    `update event_subscriptions set failing_since = null where id = ? and failing_since is not null`,
    [subscriptionId],
  );
}

/**
 * A failed attempt: starts the failing period if none is open, and disables the subscription
 * once it has failed without a single success for `disableAfterMs` — telling the owners and
 * admins in-app and in the audit log. Returns true when this call disabled it (so once: the
 * update only matches an enabled row).
 */
export async function recordSubscriptionFailure(
  em: EntityManager,
  subscriptionId: string,
  now: Date,
  disableAfterMs: number,
): Promise<boolean> {
  const [row] = await em.execute<
    { organization_id: string; url: string; failing_since: Date | string }[]
  >(
    `update event_subscriptions set failing_since = coalesce(failing_since, ?)
      where id = ? returning organization_id, url, failing_since`,
    [now, subscriptionId],
  );
  if (!row || now.getTime() - new Date(row.failing_since).getTime() < disableAfterMs) return false;
  const days = Math.round(disableAfterMs / 86_400_000);
  const reason = `deliveries failed for ${days > 0 ? `${days} days` : 'too long'} without a success`;
  const disabled = await em.execute<{ id: string }[]>(
    `update event_subscriptions set enabled = false, disabled_reason = ?, updated_at = ?
      where id = ? and enabled returning id`,
    [reason, now, subscriptionId],
  );
  if (disabled.length === 0) return false;
  const body =
    `The event subscription to ${row.url} was disabled: ${reason}. Events are no longer sent ` +
    `to it; fix the receiver, then enable it again (PATCH /v1/event-subscriptions/${subscriptionId} ` +
    `with {"enabled": true}) and redeliver what it missed.`;
  const recipients = await em.execute<{ user_id: string }[]>(
    `select user_id from memberships where organization_id = ? and role in ('owner', 'admin')`,
    [row.organization_id],
  );
  await insertNotifications(em, {
    organizationId: row.organization_id,
    userIds: recipients.map((r) => r.user_id),
    kind: SUBSCRIPTION_DISABLED_KIND,
    title: 'Event webhook disabled',
    body,
    about: {},
  });
  em.create(AuditEvent, {
    organizationId: row.organization_id,
    actorUserId: null,
    actorApiKeyId: null,
    action: 'event_subscription.disabled',
    targetType: 'event_subscription',
    targetId: subscriptionId,
    details: { reason },
  });
  await em.flush();
  return true;
}

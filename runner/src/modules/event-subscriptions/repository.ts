import type { EntityManager } from '@mikro-orm/postgresql';
import type {
  EventDeliveryInfo,
  EventSubscriptionInfo,
  EventType,
} from '../../../../shared/src/contracts/runner-api/event-subscriptions';
import { eventSubscriptionSecretContext } from '../../crypto/contexts';
import type { SecretBox } from '../../crypto/secret-box';
import { AuditEvent } from '../../db/entities/audit';
import { newId } from '../../db/ids';
import { badRequest, notFound } from '../../http/problem';
import { generateSigningSecret } from '../../events/signing';
import { pgArray } from '../../outbox/pg-array';
import type { CreateSubscriptionBody, UpdateSubscriptionBody } from './schemas';

type Actor = { actorUserId: string | null; actorApiKeyId: string | null };

interface SubscriptionRow {
  id: string;
  url: string;
  description: string | null;
  event_types: EventType[];
  workflow_ids: string[] | null;
  enabled: boolean;
  disabled_reason: string | null;
  failing_since: Date | string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

interface DeliveryRow {
  id: string;
  subscription_id: string;
  event_id: string;
  event_type: EventType;
  status: EventDeliveryInfo['status'];
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  last_attempt_at: Date | string | null;
  next_attempt_at: Date | string | null;
  delivered_at: Date | string | null;
  created_at: Date | string;
}

const COLUMNS = `id, url, description, event_types, workflow_ids, enabled, disabled_reason,
  failing_since, created_at, updated_at`;
const DELIVERY_COLUMNS = `id, subscription_id, event_id, event_type, status, attempts,
  last_status_code, last_error, last_attempt_at, next_attempt_at, delivered_at, created_at`;

const iso = (value: Date | string) => new Date(value).toISOString();
const isoOrNull = (value: Date | string | null) => (value === null ? null : iso(value));

const infoOf = (row: SubscriptionRow): EventSubscriptionInfo => ({
  id: row.id,
  url: row.url,
  description: row.description,
  eventTypes: row.event_types,
  workflowIds: row.workflow_ids,
  enabled: row.enabled,
  disabledReason: row.disabled_reason,
  failingSince: isoOrNull(row.failing_since),
  createdAt: iso(row.created_at),
  updatedAt: iso(row.updated_at),
});

const deliveryOf = (row: DeliveryRow): EventDeliveryInfo => ({
  id: row.id,
  subscriptionId: row.subscription_id,
  eventId: row.event_id,
  eventType: row.event_type,
  status: row.status,
  attempts: row.attempts,
  lastStatusCode: row.last_status_code,
  lastError: row.last_error,
  lastAttemptAt: isoOrNull(row.last_attempt_at),
  nextAttemptAt: isoOrNull(row.next_attempt_at),
  deliveredAt: isoOrNull(row.delivered_at),
  createdAt: iso(row.created_at),
});

function audit(
  em: EntityManager,
  orgId: string,
  actor: Actor,
  action: string,
  id: string,
  details: Record<string, unknown> | null = null,
) {
  em.create(AuditEvent, {
    organizationId: orgId,
    ...actor,
    action: `event_subscription.${action}`,
    targetType: 'event_subscription',
    targetId: id,
    details,
  });
}

/** Refuses workflow ids that are not the organization's, each with its JSON path. */
async function checkWorkflowIds(
  em: EntityManager,
  orgId: string,
  ids: string[] | null | undefined,
) {
  if (!ids) return;
  const found = await em.execute<{ id: string }[]>(
    `select id from workflows where organization_id = ? and id = any(?::uuid[])`,
    [orgId, pgArray(ids)],
  );
  const known = new Set(found.map((r) => r.id));
  const errors = ids.flatMap((id, i) =>
    known.has(id)
      ? []
      : [{ path: `workflowIds[${i}]`, message: 'no such workflow in this organization' }],
  );
  if (errors.length > 0) throw badRequest('unknown workflows in workflowIds', errors);
}

const unique = <T>(items: T[]) => [...new Set(items)];

export async function listSubscriptions(em: EntityManager, orgId: string) {
  const rows = await em.execute<SubscriptionRow[]>(
    `select ${COLUMNS} from event_subscriptions where organization_id = ? order by created_at, id`,
    [orgId],
  );
  return rows.map(infoOf);
}

/** The subscription, locked when `lock`; 404 when it is not the organization's. */
export async function getSubscription(
  em: EntityManager,
  orgId: string,
  id: string,
  lock = false,
): Promise<EventSubscriptionInfo> {
  const [row] = await em.execute<SubscriptionRow[]>(
    `select ${COLUMNS} from event_subscriptions where organization_id = ? and id = ?${lock ? ' for update' : ''}`,
    [orgId, id],
  );
  if (!row) throw notFound('event subscription');
  return infoOf(row);
}

/** Creates a subscription with a new signing secret, returned here and never again. */
export async function createSubscription(
  em: EntityManager,
  box: SecretBox,
  orgId: string,
  body: CreateSubscriptionBody,
  actor: Actor,
): Promise<EventSubscriptionInfo & { secret: string }> {
  await checkWorkflowIds(em, orgId, body.workflowIds);
  const id = newId();
  const secret = generateSigningSecret();
  const [row] = await em.execute<SubscriptionRow[]>(
    `insert into event_subscriptions (id, organization_id, url, description, event_types, workflow_ids, enabled, secret_enc, created_by)
     values (?, ?, ?, ?, ?::text[], ?::uuid[], ?, ?, ?) returning ${COLUMNS}`,
    [
      id,
      orgId,
      body.url,
      body.description || null,
      pgArray(unique(body.eventTypes)),
      body.workflowIds && pgArray(unique(body.workflowIds)),
      body.enabled,
      box.seal(secret, eventSubscriptionSecretContext(id)),
      actor.actorUserId,
    ],
  );
  const info = infoOf(row!);
  audit(em, orgId, actor, 'created', id, {
    url: info.url,
    eventTypes: info.eventTypes,
    workflowIds: info.workflowIds,
  });
  await em.flush();
  return { ...info, secret };
}

/** Changes the fields sent; enabling clears the runner's disabledReason and failing period. */
export async function updateSubscription(
  em: EntityManager,
  orgId: string,
  id: string,
  body: UpdateSubscriptionBody,
  actor: Actor,
): Promise<EventSubscriptionInfo> {
  const before = await getSubscription(em, orgId, id, true);
  await checkWorkflowIds(em, orgId, body.workflowIds);
  const after = {
    url: body.url ?? before.url,
    description: body.description === undefined ? before.description : body.description || null,
    eventTypes: body.eventTypes ? unique(body.eventTypes) : before.eventTypes,
    workflowIds:
      body.workflowIds === undefined
        ? before.workflowIds
        : body.workflowIds && unique(body.workflowIds),
    enabled: body.enabled ?? before.enabled,
  };
  const reenabled = after.enabled && !before.enabled;
  const [row] = await em.execute<SubscriptionRow[]>(
    `update event_subscriptions set url = ?, description = ?, event_types = ?::text[], workflow_ids = ?::uuid[],
            enabled = ?, updated_at = now()${reenabled ? ', disabled_reason = null, failing_since = null' : ''}
      where organization_id = ? and id = ? returning ${COLUMNS}`,
    [
      after.url,
      after.description,
      pgArray(after.eventTypes),
      after.workflowIds && pgArray(after.workflowIds),
      after.enabled,
      orgId,
      id,
    ],
  );
  const changed = Object.fromEntries(
    Object.keys(body).map((key) => [
      key,
      { before: before[key as keyof typeof after], after: after[key as keyof typeof after] },
    ]),
  );
  audit(em, orgId, actor, 'updated', id, changed);
  await em.flush();
  return infoOf(row!);
}

export async function deleteSubscription(
  em: EntityManager,
  orgId: string,
  id: string,
  actor: Actor,
) {
  const before = await getSubscription(em, orgId, id, true);
  await em.execute(`delete from event_subscriptions where organization_id = ? and id = ?`, [
    orgId,
    id,
  ]);
  audit(em, orgId, actor, 'deleted', id, { url: before.url });
  await em.flush();
}

/** A new signing secret, in effect for the next attempt; the old one stops signing at once. */
export async function rotateSubscriptionSecret(
  em: EntityManager,
  box: SecretBox,
  orgId: string,
  id: string,
  actor: Actor,
): Promise<EventSubscriptionInfo & { secret: string }> {
  await getSubscription(em, orgId, id, true);
  const secret = generateSigningSecret();
  const [row] = await em.execute<SubscriptionRow[]>(
    `update event_subscriptions set secret_enc = ?, updated_at = now()
      where organization_id = ? and id = ? returning ${COLUMNS}`,
    [box.seal(secret, eventSubscriptionSecretContext(id)), orgId, id],
  );
  audit(em, orgId, actor, 'secret_rotated', id);
  await em.flush();
  return { ...infoOf(row!), secret };
}

export async function listDeliveries(
  em: EntityManager,
  orgId: string,
  subscriptionId: string,
  query: { status?: EventDeliveryInfo['status']; limit: number },
): Promise<EventDeliveryInfo[]> {
  await getSubscription(em, orgId, subscriptionId);
  const rows = await em.execute<DeliveryRow[]>(
    `select ${DELIVERY_COLUMNS} from event_deliveries
      where organization_id = ? and subscription_id = ?${query.status ? ' and status = ?' : ''}
      order by created_at desc, id desc limit ?`,
    [orgId, subscriptionId, ...(query.status ? [query.status] : []), query.limit],
  );
  return rows.map(deliveryOf);
}

/**
 * Sends an event again: a new delivery of the same event (same webhook-id and createdAt, so a
 * receiver that already has it can tell), due now, with a fresh day of retries.
 */
export async function redeliver(
  em: EntityManager,
  orgId: string,
  subscriptionId: string,
  deliveryId: string,
  actor: Actor,
): Promise<EventDeliveryInfo> {
  await getSubscription(em, orgId, subscriptionId);
  const [row] = await em.execute<DeliveryRow[]>(
    `insert into event_deliveries (organization_id, subscription_id, event_id, event_type, data, event_created_at, next_attempt_at)
     select organization_id, subscription_id, event_id, event_type, data, event_created_at, now()
       from event_deliveries where organization_id = ? and subscription_id = ? and id = ?
     returning ${DELIVERY_COLUMNS}`,
    [orgId, subscriptionId, deliveryId],
  );
  if (!row) throw notFound('delivery');
  audit(em, orgId, actor, 'redelivered', subscriptionId, { deliveryId, newDeliveryId: row.id });
  await em.flush();
  return deliveryOf(row);
}

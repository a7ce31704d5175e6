import { z } from 'zod';

/**
 * What an organization can subscribe to (decision 0019): a run finishing, and a workflow being
 * disabled (by an operator or after repeated failures) or enabled again.
 * @example EventType.parse('execution.failed')
 */
export const EventType = z.enum([
  'execution.succeeded',
  'execution.failed',
  'execution.canceled',
  'workflow.disabled',
  'workflow.enabled',
]);
export type EventType = z.infer<typeof EventType>;

/**
 * A subscription (`GET /v1/event-subscriptions/{id}`): never its signing secret, which is shown
 * once, on create and on rotate-secret.
 * @example EventSubscriptionInfo.parse(json).enabled
 */
export const EventSubscriptionInfo = z
  .object({
    id: z.string(),
    url: z.string(),
    description: z.string().nullable(),
    eventTypes: z.array(EventType),
    workflowIds: z
      .array(z.string())
      .nullable()
      .describe('only events of these workflows; null: every workflow'),
    enabled: z.boolean(),
    disabledReason: z
      .string()
      .nullable()
      .describe('why the runner disabled it (deliveries failing for days); null otherwise'),
    failingSince: z
      .string()
      .nullable()
      .describe('first failed attempt since the last successful delivery'),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'EventSubscription' });
export type EventSubscriptionInfo = z.infer<typeof EventSubscriptionInfo>;

/**
 * The answer of create and rotate-secret: the subscription and its signing secret
 * (Standard Webhooks `whsec_<base64>`), which no later answer repeats.
 * @example EventSubscriptionWithSecret.parse(json).secret.startsWith('whsec_')
 */
export const EventSubscriptionWithSecret = EventSubscriptionInfo.extend({
  secret: z.string().describe('shown once: keep it to verify webhook-signature'),
}).meta({ id: 'EventSubscriptionWithSecret' });
export type EventSubscriptionWithSecret = z.infer<typeof EventSubscriptionWithSecret>;

/** `GET /v1/event-subscriptions`. @example EventSubscriptionList.parse(json).items */
export const EventSubscriptionList = z.object({ items: z.array(EventSubscriptionInfo) });
export type EventSubscriptionList = z.infer<typeof EventSubscriptionList>;

/**
 * Where a delivery stands: `pending` (due at `nextAttemptAt`), `delivered` (a 2xx answer),
 * `failed` (a 4xx other than 408/429, or retries gave up after a day).
 * @example DeliveryStatus.options
 */
export const DeliveryStatus = z.enum(['pending', 'delivered', 'failed']);
export type DeliveryStatus = z.infer<typeof DeliveryStatus>;

/**
 * One event sent (or being sent) to one subscription: the delivery log row.
 * @example EventDeliveryInfo.parse(json).attempts
 */
export const EventDeliveryInfo = z
  .object({
    id: z.string(),
    subscriptionId: z.string(),
    eventId: z.string().describe('the webhook-id header: the same for every attempt'),
    eventType: EventType,
    status: DeliveryStatus,
    attempts: z.number().int(),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    lastAttemptAt: z.string().nullable(),
    nextAttemptAt: z.string().nullable(),
    deliveredAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'EventDelivery' });
export type EventDeliveryInfo = z.infer<typeof EventDeliveryInfo>;

/** `GET /v1/event-subscriptions/{id}/deliveries`: newest first. @example EventDeliveryList.parse(json).items */
export const EventDeliveryList = z.object({ items: z.array(EventDeliveryInfo) });
export type EventDeliveryList = z.infer<typeof EventDeliveryList>;

/**
 * The JSON body POSTed to a subscriber: ids, status and timing, never run inputs, outputs or
 * secrets (the receiver fetches details with its own credentials).
 * @example WebhookEvent.parse(JSON.parse(body)).type
 */
export const WebhookEvent = z.object({
  id: z.string(),
  type: EventType,
  createdAt: z.string(),
  data: z.record(z.string(), z.unknown()),
});
export type WebhookEvent = z.infer<typeof WebhookEvent>;

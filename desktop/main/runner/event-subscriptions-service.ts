import { z } from 'zod';
import {
  EventDeliveryInfo,
  EventDeliveryList,
  EventSubscriptionInfo,
  EventSubscriptionList,
  EventSubscriptionWithSecret,
} from '../../../shared/src/contracts/runner-api';
import type { RunnerConnectionService, RunnerContext } from './runner-connection-service';

// Types and upper bounds only: what a subscription must hold (https or loopback URL, known event
// types, workflow ids) is the runner's policy, and its problem+json names the field at fault
// (decision 0011).
const Id = z.string().min(1).max(100);

export const SubscriptionRef = z.strictObject({ subscriptionId: Id });
export const DeliveryRef = SubscriptionRef.extend({ deliveryId: Id });
export const NewSubscription = z.strictObject({
  url: z.string().max(2_000),
  eventTypes: z.array(z.string().max(100)).max(20),
  workflowIds: z.array(Id).max(100).nullable(),
  description: z.string().max(500).nullable().optional(),
});
export type NewSubscription = z.infer<typeof NewSubscription>;
export const EnabledChange = SubscriptionRef.extend({ enabled: z.boolean() });

/** A subscription as the list shows it: with where its newest delivery stands. */
export interface EventSubscriptionRow extends EventSubscriptionInfo {
  lastDelivery: EventDeliveryInfo | null;
}

const enc = encodeURIComponent;

/**
 * The runner's outgoing event webhooks (decision 0019) in the organization in use, for owners and
 * admins (`event-subscriptions:manage`; anyone else gets the runner's 403). The signing secret of
 * create and rotate passes through to the renderer once and is kept nowhere here.
 */
export class EventSubscriptionsService {
  constructor(private readonly connections: RunnerConnectionService) {}

  async list(): Promise<EventSubscriptionRow[]> {
    const { items } = await this.send(
      { method: 'GET', path: '/v1/event-subscriptions' },
      EventSubscriptionList,
    );
    // One small request per subscription: an organization has a handful, and the list carries
    // no delivery state of its own.
    return Promise.all(
      items.map(async (s) => ({
        ...s,
        lastDelivery: (await this.deliveries(s.id, 1))[0] ?? null,
      })),
    );
  }

  async create(input: NewSubscription): Promise<EventSubscriptionWithSecret> {
    return this.send(
      { method: 'POST', path: '/v1/event-subscriptions', body: input },
      EventSubscriptionWithSecret,
    );
  }

  /** Enabling again also clears the reason the runner disabled it for (deliveries failing). */
  async setEnabled({ subscriptionId, enabled }: z.infer<typeof EnabledChange>) {
    return this.send(
      { method: 'PATCH', path: this.path(subscriptionId), body: { enabled } },
      EventSubscriptionInfo,
    );
  }

  async remove(subscriptionId: string): Promise<void> {
    await this.send({ method: 'DELETE', path: this.path(subscriptionId) }, z.null());
  }

  /** A new signing secret, shown once; the old one stops signing at once. */
  async rotateSecret(subscriptionId: string): Promise<EventSubscriptionWithSecret> {
    return this.send(
      { method: 'POST', path: `${this.path(subscriptionId)}/rotate-secret` },
      EventSubscriptionWithSecret,
    );
  }

  /** The delivery log, newest first. */
  async deliveries(subscriptionId: string, limit = 50): Promise<EventDeliveryInfo[]> {
    const { items } = await this.send(
      { method: 'GET', path: `${this.path(subscriptionId)}/deliveries`, query: { limit } },
      EventDeliveryList,
    );
    return items;
  }

  /** Sends a delivery's event again: a new delivery, due now, with the same webhook-id. */
  async redeliver({ subscriptionId, deliveryId }: z.infer<typeof DeliveryRef>) {
    return this.send(
      {
        method: 'POST',
        path: `${this.path(subscriptionId)}/deliveries/${enc(deliveryId)}/redeliver`,
      },
      EventDeliveryInfo,
    );
  }

  private path(subscriptionId: string): string {
    return `/v1/event-subscriptions/${enc(subscriptionId)}`;
  }

  private send<T extends z.ZodType>(
    request: Parameters<RunnerContext['send']>[0],
    schema: T,
  ): Promise<z.infer<T>> {
    return this.connections.context().send(request, schema);
  }
}

import { z } from 'zod';
import { EventType } from '../../../../shared/src/contracts/runner-api/event-subscriptions';
import { outboundUrl } from '../../connections/token-url';

/**
 * Where events are POSTed: https, or http to this machine (a local receiver). Whether the
 * organization may reach the address at all is the SSRF guard's call, at every delivery.
 */
const WebhookUrl = outboundUrl('the URL')
  .refine(
    (text) =>
      !URL.canParse(text) || (new URL(text).username === '' && new URL(text).password === ''),
    'the URL must not carry credentials (verify webhook-signature instead)',
  )
  .describe('the receiver; each delivery goes through the SSRF guard');

const EventTypes = z
  .array(EventType)
  .min(1, 'subscribe to at least one event type')
  .max(EventType.options.length)
  .describe('the events sent to this URL');

const WorkflowIds = z
  .array(z.uuid('must be a workflow id'))
  .min(1, 'list at least one workflow, or send null for every workflow')
  .max(100)
  .nullable()
  .describe("only these workflows' events; null: every workflow of the organization");

const Description = z.string().trim().max(500).nullable();

/** `POST /v1/event-subscriptions`. */
export const CreateSubscriptionBody = z.strictObject({
  url: WebhookUrl,
  eventTypes: EventTypes,
  workflowIds: WorkflowIds.default(null),
  description: Description.default(null),
  enabled: z.boolean().default(true),
});
export type CreateSubscriptionBody = z.infer<typeof CreateSubscriptionBody>;

/** `PATCH /v1/event-subscriptions/{id}`: the fields sent replace the stored ones. */
export const UpdateSubscriptionBody = z
  .strictObject({
    url: WebhookUrl.optional(),
    eventTypes: EventTypes.optional(),
    workflowIds: WorkflowIds.optional(),
    description: Description.optional(),
    enabled: z.boolean().optional().describe('true clears a disabledReason the runner set'),
  })
  .refine((body) => Object.keys(body).length > 0, 'send at least one field to change');
export type UpdateSubscriptionBody = z.infer<typeof UpdateSubscriptionBody>;

export const SubscriptionParams = z.object({ id: z.uuid('must be an event subscription id') });
export const DeliveryParams = SubscriptionParams.extend({
  deliveryId: z.uuid('must be a delivery id'),
});

export const DeliveriesQuery = z.object({
  status: z.enum(['pending', 'delivered', 'failed']).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

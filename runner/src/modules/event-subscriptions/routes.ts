import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  EventDeliveryInfo,
  EventDeliveryList,
  EventSubscriptionInfo,
  EventSubscriptionList,
  EventSubscriptionWithSecret,
} from '../../../../shared/src/contracts/runner-api/event-subscriptions';
import { problemResponses } from '../../http/problem';
import { actorFields, inOrg, orgOf } from '../../http/request-context';
import {
  createSubscription,
  deleteSubscription,
  getSubscription,
  listDeliveries,
  listSubscriptions,
  redeliver,
  rotateSubscriptionSecret,
  updateSubscription,
} from './repository';
import {
  CreateSubscriptionBody,
  DeliveriesQuery,
  DeliveryParams,
  SubscriptionParams,
  UpdateSubscriptionBody,
} from './schemas';

const ACCESS = { access: 'event-subscriptions:manage' } as const;
const TAGS = ['event-subscriptions'];

/**
 * Outgoing event webhooks (decision 0019): owners and admins subscribe a URL to the
 * organization's events; the scheduler's dispatcher (events/dispatcher.ts) delivers them signed.
 * Another organization's subscription is 404, as if absent.
 */
export async function eventSubscriptionRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.post(
    '/v1/event-subscriptions',
    {
      config: ACCESS,
      schema: {
        tags: TAGS,
        summary: 'Subscribe a URL to events; the answer holds the signing secret, shown only here',
        body: CreateSubscriptionBody,
        response: { 201: EventSubscriptionWithSecret, ...problemResponses },
      },
    },
    async (request, reply) => {
      const org = orgOf(request);
      const created = await inOrg(request, (em) =>
        createSubscription(em, app.secretBox, org.id, request.body, actorFields(request)),
      );
      return reply.code(201).send(created);
    },
  );

  app.get(
    '/v1/event-subscriptions',
    {
      config: ACCESS,
      schema: {
        tags: TAGS,
        summary: "The organization's event subscriptions (never their secrets)",
        response: { 200: EventSubscriptionList, ...problemResponses },
      },
    },
    async (request) =>
      inOrg(request, async (em) => ({ items: await listSubscriptions(em, orgOf(request).id) })),
  );

  app.get(
    '/v1/event-subscriptions/:id',
    {
      config: ACCESS,
      schema: {
        tags: TAGS,
        summary: 'One event subscription',
        params: SubscriptionParams,
        response: { 200: EventSubscriptionInfo, ...problemResponses },
      },
    },
    async (request) =>
      inOrg(request, (em) => getSubscription(em, orgOf(request).id, request.params.id)),
  );

  app.patch(
    '/v1/event-subscriptions/:id',
    {
      config: ACCESS,
      schema: {
        tags: TAGS,
        summary: 'Change the URL, events, workflow filter, description or enabled flag',
        params: SubscriptionParams,
        body: UpdateSubscriptionBody,
        response: { 200: EventSubscriptionInfo, ...problemResponses },
      },
    },
    async (request) =>
      inOrg(request, (em) =>
        updateSubscription(
          em,
          orgOf(request).id,
          request.params.id,
          request.body,
          actorFields(request),
        ),
      ),
  );

  app.delete(
    '/v1/event-subscriptions/:id',
    {
      config: ACCESS,
      schema: {
        tags: TAGS,
        summary: 'Unsubscribe (its pending deliveries are dropped)',
        params: SubscriptionParams,
        response: { 204: z.null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      await inOrg(request, (em) =>
        deleteSubscription(em, orgOf(request).id, request.params.id, actorFields(request)),
      );
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/event-subscriptions/:id/rotate-secret',
    {
      config: ACCESS,
      schema: {
        tags: TAGS,
        summary: 'A new signing secret (shown only here); the old one stops signing at once',
        params: SubscriptionParams,
        response: { 200: EventSubscriptionWithSecret, ...problemResponses },
      },
    },
    async (request) =>
      inOrg(request, (em) =>
        rotateSubscriptionSecret(
          em,
          app.secretBox,
          orgOf(request).id,
          request.params.id,
          actorFields(request),
        ),
      ),
  );

  app.get(
    '/v1/event-subscriptions/:id/deliveries',
    {
      config: ACCESS,
      schema: {
        tags: TAGS,
        summary: 'The delivery log, newest first: status, attempts, last answer, next attempt',
        params: SubscriptionParams,
        querystring: DeliveriesQuery,
        response: { 200: EventDeliveryList, ...problemResponses },
      },
    },
    async (request) =>
      inOrg(request, async (em) => ({
        items: await listDeliveries(em, orgOf(request).id, request.params.id, request.query),
      })),
  );

  app.post(
    '/v1/event-subscriptions/:id/deliveries/:deliveryId/redeliver',
    {
      config: ACCESS,
      schema: {
        tags: TAGS,
        summary: 'Send the event of a delivery again (a new delivery, due now)',
        params: DeliveryParams,
        response: { 202: EventDeliveryInfo, ...problemResponses },
      },
    },
    async (request, reply) => {
      const delivery = await inOrg(request, (em) =>
        redeliver(
          em,
          orgOf(request).id,
          request.params.id,
          request.params.deliveryId,
          actorFields(request),
        ),
      );
      return reply.code(202).send(delivery);
    },
  );
}

import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  NOTIFICATION_PAGE,
  NotificationList,
} from '../../../../shared/src/contracts/runner-api/notifications';
import { Notification } from '../../db/entities/audit';
import { notFound, problemResponses } from '../../http/problem';
import { inOrg, type Principal } from '../../http/request-context';
import { isUuid } from '../workflows/repository';

/** Rows addressed to the caller, or to the whole organization (user_id null). */
const audience = (p: Principal | null) =>
  p?.kind === 'user' ? { $or: [{ userId: p.userId }, { userId: null }] } : { userId: null };

/**
 * In-app notifications (written by notifications/notification-rows.ts: alert digests, a workflow
 * disabled after repeated failures, quota refusals, connections to authorize again).
 */
export async function notificationRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.get(
    '/v1/notifications',
    {
      config: { access: 'notifications:read' },
      schema: {
        tags: ['notifications'],
        summary: 'Notifications for the caller in this organization, newest first',
        querystring: z.strictObject({ unread: z.enum(['true', 'false']).optional() }),
        response: { 200: NotificationList, ...problemResponses },
      },
    },
    async (request) =>
      inOrg(request, async (em) => {
        const rows = await em.find(
          Notification,
          {
            ...audience(request.principal),
            ...(request.query.unread === 'true' ? { readAt: null } : {}),
          },
          { orderBy: { createdAt: 'desc' }, limit: NOTIFICATION_PAGE },
        );
        return {
          items: rows.map((n) => ({
            id: n.id,
            kind: n.kind,
            title: n.title,
            body: n.body,
            workflowId: n.workflowId ?? null,
            executionId: n.executionId ?? null,
            connectionId: n.connectionId ?? null,
            readAt: n.readAt?.toISOString() ?? null,
            createdAt: n.createdAt.toISOString(),
          })),
        };
      }),
  );

  app.post(
    '/v1/notifications/:id/read',
    {
      config: { access: 'notifications:read' },
      schema: {
        tags: ['notifications'],
        summary: 'Mark a notification read',
        params: z.object({ id: z.string() }),
        response: { 204: z.null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      await inOrg(request, async (em) => {
        const n = isUuid(request.params.id)
          ? await em.findOne(Notification, {
              id: request.params.id,
              ...audience(request.principal),
            })
          : null;
        if (!n) throw notFound('notification');
        n.readAt ??= new Date();
        await em.flush();
      });
      return reply.code(204).send(null);
    },
  );
}

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AuditEvent } from '../../db/entities/audit';
import { withSystemContext } from '../../db/org-context';

/**
 * An account event of an OIDC sign-in (no organization, like password sign-ins). Written by
 * the route, so the central audit hook (modules/audit) does not add a generic line.
 */
export async function recordSignInEvent(
  app: FastifyInstance,
  request: FastifyRequest,
  event: { action: string; userId: string | null; details: Record<string, unknown> },
): Promise<void> {
  await withSystemContext(app.orm, async (em) => {
    em.create(AuditEvent, {
      organizationId: null,
      actorUserId: event.userId,
      actorApiKeyId: null,
      action: event.action,
      targetType: 'user',
      targetId: event.userId,
      ip: request.ip,
      details: event.details,
    });
    await em.flush();
  }).catch((err: unknown) => request.log.error({ err }, 'could not record the sign-in event'));
}

import type { MikroORM } from '@mikro-orm/postgresql';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AuditEvent } from '../../db/entities/audit';
import { withOrgContext, withSystemContext } from '../../db/org-context';
import { actorFields } from '../../http/request-context';
import { answerId } from './answer-id';
import { authEventFor } from './auth-events';
import { requestOrigin } from './request-scope';

/** One audit line; ip, user agent and request id come from the request. */
export interface AuditFields {
  organizationId: string | null;
  actorUserId: string | null;
  actorApiKeyId?: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  details?: Record<string, unknown> | null;
}

/**
 * Appends an event in its own transaction: in its organization's scope, or in the system scope
 * for user-level and anonymous events (sign-ins, which belong to no organization).
 */
export async function appendAuditEvent(
  orm: MikroORM,
  fields: AuditFields & {
    ip?: string | null;
    userAgent?: string | null;
    requestId?: string | null;
  },
): Promise<void> {
  const write = async (em: Parameters<Parameters<typeof withSystemContext>[1]>[0]) => {
    em.create(AuditEvent, { actorApiKeyId: null, details: null, ...fields });
    await em.flush();
  };
  await (fields.organizationId
    ? withOrgContext(orm, fields.organizationId, write)
    : withSystemContext(orm, write));
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
// Webhook calls are recorded as executions; their URL carries the trigger's secret token.
const NOT_AUDITED = [/^\/v1\/hooks\//];
// Path parameters that are credentials, not identifiers.
const SECRET_PARAM = /token|secret|key$/i;

/**
 * The central audit hook: every successful non-GET /v1 request is recorded by route, path
 * parameters and actor; sign-in and other account events (auth-events.ts) are recorded
 * whatever their outcome. Neither when the route wrote a richer event itself (request-scope.ts).
 * onSend, not onResponse: the line is stored before the client sees the answer.
 */
export function installAuditHook(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    try {
      const event = await eventFor(app, request, reply, payload);
      if (event) await appendAuditEvent(app.orm, { ...event, ...requestOrigin(request) });
    } catch (err) {
      // The change itself is committed: a lost audit line is logged loudly rather than turned into a 500.
      request.log.error({ err }, 'could not record the audit event');
    }
    return payload;
  });
}

async function eventFor(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  payload: unknown,
): Promise<AuditFields | null> {
  const route = request.routeOptions.url;
  if (!route?.startsWith('/v1/') || NOT_AUDITED.some((re) => re.test(route))) return null;
  // The route wrote its own, richer event (an OIDC sign-in, say): no second line.
  if (request.auditScope?.explicit) return null;
  const auth = await authEventFor(app, request, reply.statusCode, payload);
  if (auth !== undefined) return auth;
  if (READS.has(request.method) || reply.statusCode >= 400) return null;
  // An Idempotency-Key replay answers from the stored response: nothing changed this time.
  if (reply.getHeader('idempotent-replayed') === 'true') return null;
  const params = Object.entries((request.params ?? {}) as Record<string, string>).filter(
    ([name]) => !SECRET_PARAM.test(name),
  );
  const createdId = answerId(payload);
  return {
    organizationId: request.org?.id ?? null,
    ...actorFields(request),
    action: `${request.method} ${route}`,
    targetType: route.split('/')[2] ?? 'api',
    targetId: params.find(([name]) => name !== 'orgId')?.[1] ?? createdId ?? params[0]?.[1] ?? null,
    details: {
      status: reply.statusCode,
      ...(params.length ? { params: Object.fromEntries(params) } : {}),
      ...(createdId ? { resultId: createdId } : {}),
    },
  };
}

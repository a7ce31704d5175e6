import { AsyncLocalStorage } from 'node:async_hooks';
import type { EventArgs, EventSubscriber } from '@mikro-orm/core';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditEventEntity } from '../../db/entities';

/** What the audit trail knows about the request being handled. */
export interface AuditScope {
  request: FastifyRequest;
  /** A route wrote its own audit event: the central hook then records nothing more. */
  explicit: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    auditScope: AuditScope | null;
  }
}

const storage = new AsyncLocalStorage<AuditScope>();

/** "From where": the client address (after the trusted-proxy rules), user agent and request id. */
export function requestOrigin(request: FastifyRequest) {
  const agent = request.headers['user-agent'];
  return {
    ip: request.ip,
    userAgent: typeof agent === 'string' ? agent.slice(0, 500) : null,
    // Clients may send their own X-Request-Id: bounded to the column's size.
    requestId: String(request.id).slice(0, 255),
  };
}

/**
 * Audit events the routes write themselves (`em.create(AuditEvent, …)` in their transaction,
 * so the event commits with the change) get the request's origin and API key filled in here,
 * and mark the request as recorded so the central hook does not write a second line.
 */
const subscriber: EventSubscriber = {
  beforeCreate(args: EventArgs<unknown>) {
    if (args.meta.className !== 'AuditEvent') return;
    const scope = storage.getStore();
    if (!scope) return;
    scope.explicit = true;
    const event = args.entity as AuditEventEntity;
    const origin = requestOrigin(scope.request);
    event.ip ??= origin.ip;
    event.userAgent ??= origin.userAgent;
    event.requestId ??= origin.requestId;
    const principal = scope.request.principal;
    if (principal?.kind === 'apiKey') event.actorApiKeyId ??= principal.apiKeyId;
  },
};

/**
 * Runs each request's hooks and handler inside its audit scope. `onRequest` opens it; the
 * body is parsed from socket events outside any scope, so `preHandler` (the last hook before
 * the handler) enters it again.
 */
export function installAuditScope(app: FastifyInstance, orm: MikroORM): void {
  orm.em.getEventManager().registerSubscriber(subscriber); // once per ORM: the set dedupes
  app.decorateRequest('auditScope', null);
  app.addHook('onRequest', (request, _reply, done) => {
    request.auditScope = { request, explicit: false };
    storage.run(request.auditScope, done);
  });
  app.addHook('preHandler', (request, _reply, done) => {
    if (!request.auditScope) return done();
    storage.run(request.auditScope, done);
  });
}

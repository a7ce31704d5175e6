import type { FastifyInstance } from 'fastify';
import { installAuditHook } from './recorder';
import { installAuditScope } from './request-scope';

/**
 * The audit trail's hooks: the request scope that enriches events routes write themselves,
 * and the central hook that records every other mutation and every sign-in.
 */
export function installAudit(app: FastifyInstance): void {
  installAuditScope(app, app.orm);
  installAuditHook(app);
}

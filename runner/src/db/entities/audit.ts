import { defineEntity, p } from '@mikro-orm/core';
import { generatedId, insertedAt } from './columns';

/** Append-only: the app role has no UPDATE/DELETE grant on it (see the RLS migration). */
export const AuditEvent = defineEntity({
  name: 'AuditEvent',
  tableName: 'audit_events',
  properties: {
    id: generatedId(),
    organizationId: p.uuid().nullable().index(),
    actorUserId: p.uuid().nullable(),
    actorApiKeyId: p.uuid().nullable(),
    action: p.string(),
    targetType: p.string(),
    targetId: p.string().nullable(),
    ip: p.string().nullable(),
    /** Filled from the HTTP request by modules/audit (request-scope.ts) when left empty. */
    userAgent: p.text().nullable(),
    requestId: p.string().nullable(),
    at: insertedAt(),
    details: p.json<Record<string, unknown>>().nullable(),
  },
});

export const Notification = defineEntity({
  name: 'Notification',
  tableName: 'notifications',
  properties: {
    id: generatedId(),
    organizationId: p.uuid().index(),
    userId: p.uuid().nullable().index(),
    kind: p.string(),
    title: p.string(),
    body: p.text(),
    /** What the notification is about (no foreign keys: see Migration20261125123000). */
    workflowId: p.uuid().nullable(),
    executionId: p.uuid().nullable(),
    connectionId: p.uuid().nullable(),
    readAt: p.datetime().nullable(),
    createdAt: insertedAt(),
  },
});

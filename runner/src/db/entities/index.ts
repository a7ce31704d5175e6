import { AuditEvent, Notification } from './audit';
import { Connection, Connector } from './connector';
import {
  Execution,
  ExecutionLog,
  ExecutionStep,
  IdempotencyRecord,
  Outbox,
  WebhookDedupe,
} from './execution';
import { Plan, RefreshToken, User } from './identity';
import { ApiKey, Membership, Organization } from './tenancy';
import { ScheduleFire, Trigger, Workflow, WorkflowVersion } from './workflow';

export * from './audit';
export * from './connector';
export * from './execution';
export * from './identity';
export * from './tenancy';
export * from './workflow';

/** Every entity schema, for the ORM config. */
export const allEntities = [
  Plan,
  User,
  RefreshToken,
  Organization,
  Membership,
  ApiKey,
  Workflow,
  WorkflowVersion,
  Trigger,
  ScheduleFire,
  Execution,
  ExecutionStep,
  ExecutionLog,
  WebhookDedupe,
  IdempotencyRecord,
  Outbox,
  Connector,
  Connection,
  AuditEvent,
  Notification,
];

/** Entities with an `organizationId` column: the `org` filter and the RLS policies cover them. */
export const orgScopedEntities = [
  Membership,
  ApiKey,
  Workflow,
  WorkflowVersion,
  Trigger,
  Execution,
  ExecutionStep,
  ExecutionLog,
  WebhookDedupe,
  IdempotencyRecord,
  Outbox,
  Connector,
  Connection,
  AuditEvent,
  Notification,
];

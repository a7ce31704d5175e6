import type { InferEntity } from '@mikro-orm/core';
import { AuditEvent, Notification } from './audit';
import { Connection, ConnectionRateSlots, Connector } from './connector';
import { AlertSettings, FailureAlert, FailureAlertCursor } from './failure-alerts';
import { CustomRole } from './custom-role';
import {
  Execution,
  ExecutionLog,
  ExecutionStep,
  IdempotencyRecord,
  Outbox,
  WebhookDedupe,
} from './execution';
import { Plan, RefreshToken, User } from './identity';
import { Invitation } from './invitation';
import { ExecutionUsage, RateLimitHit } from './limits';
import { ApiKey, Membership, Organization } from './tenancy';
import { LoginFailure } from './login-throttle';
import { OidcLogin, UserIdentity } from './oidc';
import { SlaAlert, SlaAlertCursor, WorkflowSla } from './sla';
import { RecoveryCode, UserTotp } from './two-factor';
import { OrganizationVariable } from './variables';
import { ScheduleFire, Trigger, Workflow, WorkflowVersion } from './workflow';
import { WorkflowGrant } from './workflow-access';

export * from './audit';
export * from './connector';
export * from './custom-role';
export * from './execution';
export * from './failure-alerts';
export * from './identity';
export * from './invitation';
export * from './limits';
export * from './tenancy';
export * from './login-throttle';
export * from './oidc';
export * from './sla';
export * from './two-factor';
export * from './variables';
export * from './workflow';
export * from './workflow-access';

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
  ConnectionRateSlots,
  AuditEvent,
  Notification,
  UserTotp,
  RecoveryCode,
  LoginFailure,
  UserIdentity,
  OidcLogin,
  OrganizationVariable,
  CustomRole,
  Invitation,
  WorkflowGrant,
  ExecutionUsage,
  RateLimitHit,
  FailureAlertCursor,
  FailureAlert,
  AlertSettings,
  WorkflowSla,
  SlaAlertCursor,
  SlaAlert,
];

/** Entities with an `organizationId` column: the `org` filter and the RLS policies cover them. */
export const orgScopedEntities = [
  Membership,
  OrganizationVariable,
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
  ConnectionRateSlots,
  AuditEvent,
  Notification,
  CustomRole,
  Invitation,
  WorkflowGrant,
  ExecutionUsage,
  FailureAlertCursor,
  FailureAlert,
  AlertSettings,
];

/** Entity instance types, named after their schema. */
export type PlanEntity = InferEntity<typeof Plan>;
export type UserEntity = InferEntity<typeof User>;
export type RefreshTokenEntity = InferEntity<typeof RefreshToken>;
export type OrganizationEntity = InferEntity<typeof Organization>;
export type MembershipEntity = InferEntity<typeof Membership>;
export type ApiKeyEntity = InferEntity<typeof ApiKey>;
export type WorkflowEntity = InferEntity<typeof Workflow>;
export type WorkflowVersionEntity = InferEntity<typeof WorkflowVersion>;
export type TriggerEntity = InferEntity<typeof Trigger>;
export type ScheduleFireEntity = InferEntity<typeof ScheduleFire>;
export type ExecutionEntity = InferEntity<typeof Execution>;
export type ExecutionStepEntity = InferEntity<typeof ExecutionStep>;
export type ExecutionLogEntity = InferEntity<typeof ExecutionLog>;
export type WebhookDedupeEntity = InferEntity<typeof WebhookDedupe>;
export type IdempotencyRecordEntity = InferEntity<typeof IdempotencyRecord>;
export type OutboxEntity = InferEntity<typeof Outbox>;
export type ConnectorEntity = InferEntity<typeof Connector>;
export type ConnectionEntity = InferEntity<typeof Connection>;
export type AuditEventEntity = InferEntity<typeof AuditEvent>;
export type NotificationEntity = InferEntity<typeof Notification>;
export type UserIdentityEntity = InferEntity<typeof UserIdentity>;
export type OidcLoginEntity = InferEntity<typeof OidcLogin>;
export type OrganizationVariableEntity = InferEntity<typeof OrganizationVariable>;
export type CustomRoleEntity = InferEntity<typeof CustomRole>;
export type InvitationEntity = InferEntity<typeof Invitation>;
export type WorkflowGrantEntity = InferEntity<typeof WorkflowGrant>;

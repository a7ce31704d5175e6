import { defineEntity, p } from '@mikro-orm/core';
import { generatedId, insertedAt } from './columns';

export const TRIGGER_KINDS = ['webhook', 'schedule', 'poll', 'manual'] as const;
export type TriggerKind = (typeof TRIGGER_KINDS)[number];

export const Workflow = defineEntity({
  name: 'Workflow',
  tableName: 'workflows',
  properties: {
    id: generatedId(),
    organizationId: p.uuid().index(),
    name: p.string(),
    activeVersionId: p.uuid().nullable(),
    enabled: p.boolean().default(true),
    disabledReason: p.string().nullable(),
    consecutiveFailures: p.integer().default(0),
    /** Only members named in workflow_grants (and holders of workflows:share) see it. */
    restricted: p.boolean().default(false),
    createdAt: insertedAt(),
    updatedAt: insertedAt().onUpdate(() => new Date()),
  },
});

/** Immutable once written: a new definition is a new version. */
export const WorkflowVersion = defineEntity({
  name: 'WorkflowVersion',
  tableName: 'workflow_versions',
  uniques: [{ properties: ['workflowId', 'version'] }],
  properties: {
    id: generatedId(),
    organizationId: p.uuid().index(),
    workflowId: p.uuid(),
    version: p.integer(),
    definition: p.json<Record<string, unknown>>(),
    createdAt: insertedAt(),
    createdBy: p.uuid().nullable(),
  },
});

/** The active version's trigger, registered when the version is published. */
export const Trigger = defineEntity({
  name: 'Trigger',
  tableName: 'triggers',
  indexes: [{ properties: ['kind', 'active', 'nextDueAt'] }],
  properties: {
    id: generatedId(),
    organizationId: p.uuid().index(),
    workflowId: p.uuid().index(),
    versionId: p.uuid(),
    kind: p.enum([...TRIGGER_KINDS]),
    webhookToken: p.string().nullable().unique(),
    webhookMethod: p.string().length(10).nullable(),
    /** 'accepted' | 'onCompletion' */
    respondMode: p.string().length(16).nullable(),
    /** AES-256-GCM sealed (crypto/secret-box.ts) HMAC secret for signed webhooks. */
    hmacSecretEnc: p.text().nullable(),
    cron: p.string().nullable(),
    timezone: p.string().nullable(),
    nextDueAt: p.datetime().nullable(),
    pollIntervalSeconds: p.integer().nullable(),
    pollState: p.json<Record<string, unknown>>().nullable(),
    active: p.boolean().default(true),
    createdAt: insertedAt(),
  },
});

/** One row per (trigger, due time): the primary key makes each fire happen once across schedulers. */
export const ScheduleFire = defineEntity({
  name: 'ScheduleFire',
  tableName: 'schedule_fires',
  properties: {
    triggerId: p.uuid().primary(),
    dueAt: p.datetime().primary(),
    executionId: p.uuid().nullable(),
    firedAt: insertedAt(),
  },
});

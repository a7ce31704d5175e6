import { defineEntity, p } from '@mikro-orm/core';
import { generatedId, insertedAt } from './columns';

/**
 * A workflow's SLA (decision 0018): a runner-side setting, not part of the workflow document.
 * A run longer than `maxDurationSeconds`, or still pending `maxStartDelaySeconds` after it was
 * created, is a breach.
 */
export const WorkflowSla = defineEntity({
  name: 'WorkflowSla',
  tableName: 'workflow_slas',
  properties: {
    workflowId: p.uuid().primary(),
    organizationId: p.uuid().index(),
    maxDurationSeconds: p.integer(),
    maxStartDelaySeconds: p.integer().nullable(),
    createdAt: insertedAt(),
    updatedAt: insertedAt().onUpdate(() => new Date()),
  },
});

/** Per workflow: breaches that happened up to `alertedThrough` have been told (see FailureAlertCursor). */
export const SlaAlertCursor = defineEntity({
  name: 'SlaAlertCursor',
  tableName: 'sla_alert_cursors',
  properties: {
    workflowId: p.uuid().primary(),
    organizationId: p.uuid().index(),
    alertedThrough: p.datetime(),
    lastAlertAt: p.datetime().nullable(),
  },
});

/** One breach of an SLA digest: the execution, which limit, and when it was crossed. */
export interface SlaBreach {
  executionId: string;
  kind: 'duration' | 'start_delay';
  breachedAt: string;
}

/** One digest of a workflow's SLA breaches; `emailPending` empties as its emails go out. */
export const SlaAlert = defineEntity({
  name: 'SlaAlert',
  tableName: 'sla_alerts',
  indexes: [
    {
      name: 'sla_alerts_workflow_created_idx',
      expression:
        'create index "sla_alerts_workflow_created_idx" on "sla_alerts" ("workflow_id", "created_at" desc)',
    },
    {
      name: 'sla_alerts_unsent_idx',
      expression:
        'create index "sla_alerts_unsent_idx" on "sla_alerts" ("created_at") where "emailed_at" is null',
    },
  ],
  properties: {
    id: generatedId(),
    organizationId: p.uuid().index(),
    workflowId: p.uuid(),
    breachCount: p.integer(),
    firstBreachedAt: p.datetime(),
    lastBreachedAt: p.datetime(),
    /** The newest breaches (at most 20), newest first. */
    breaches: p.json<SlaBreach[]>(),
    /** The limits the breaches were judged by. */
    maxDurationSeconds: p.integer(),
    maxStartDelaySeconds: p.integer().nullable(),
    recipientIds: p.json<string[]>(),
    emailPending: p.json<string[]>(),
    emailAttempts: p.integer().default(0),
    lastEmailError: p.text().nullable(),
    emailedAt: p.datetime().nullable(),
    createdAt: insertedAt(),
  },
});

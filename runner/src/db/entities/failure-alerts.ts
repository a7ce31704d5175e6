import { defineEntity, p } from '@mikro-orm/core';
import type { StepErrorInfo } from '../../../../shared/src/model/run-result';
import { generatedId, insertedAt } from './columns';

/**
 * Per workflow: failures finished up to `alertedThrough` have been counted in an alert.
 * Locked and moved in the same transaction as the alert and its notifications, so two
 * schedulers never send the same digest and a crash before the commit sends it again.
 */
export const FailureAlertCursor = defineEntity({
  name: 'FailureAlertCursor',
  tableName: 'failure_alert_cursors',
  properties: {
    workflowId: p.uuid().primary(),
    organizationId: p.uuid().index(),
    alertedThrough: p.datetime(),
    lastAlertAt: p.datetime().nullable(),
  },
});

/** One digest of a workflow's failures; `emailPending` empties as its emails go out. */
export const FailureAlert = defineEntity({
  name: 'FailureAlert',
  tableName: 'failure_alerts',
  indexes: [
    {
      name: 'failure_alerts_workflow_created_idx',
      expression:
        'create index "failure_alerts_workflow_created_idx" on "failure_alerts" ("workflow_id", "created_at" desc)',
    },
    {
      name: 'failure_alerts_unsent_idx',
      expression:
        'create index "failure_alerts_unsent_idx" on "failure_alerts" ("created_at") where "emailed_at" is null',
    },
  ],
  properties: {
    id: generatedId(),
    organizationId: p.uuid().index(),
    workflowId: p.uuid(),
    failures: p.integer(),
    firstFailedAt: p.datetime(),
    lastFailedAt: p.datetime(),
    /** The first failure's error, as stored on the execution (already redacted by the engine). */
    firstError: p.json<StepErrorInfo & { step?: string }>().nullable(),
    latestExecutionIds: p.json<string[]>(),
    recipientIds: p.json<string[]>(),
    emailPending: p.json<string[]>(),
    emailAttempts: p.integer().default(0),
    lastEmailError: p.text().nullable(),
    emailedAt: p.datetime().nullable(),
    createdAt: insertedAt(),
  },
});

/** A member's failure-alert muting in one organization: everything, or named workflows. */
export const AlertSettings = defineEntity({
  name: 'AlertSettings',
  tableName: 'alert_settings',
  properties: {
    organizationId: p.uuid().primary(),
    userId: p.uuid().primary(),
    muteAll: p.boolean().default(false),
    mutedWorkflowIds: p.json<string[]>(),
    updatedAt: insertedAt().onUpdate(() => new Date()),
  },
});

import { z } from 'zod';

/** A workflow v1 document; validated by the shared validator in the handler (errors with JSON paths). */
export const Definition = z
  .record(z.string(), z.unknown())
  .describe('A workflow v1 document (shared/spec/workflow-v1.md), format "maestro/workflow@1"');

export const PublishBody = z.strictObject({ definition: Definition });

export const WorkflowParams = z.object({ id: z.string().describe('workflow id') });

export const Webhook = z.object({
  token: z.string(),
  url: z.string(),
  method: z.string(),
  respond: z.string(),
  signed: z.boolean().describe('whether requests must carry X-Maestro-Signature'),
});

export const Published = z
  .object({
    id: z.string(),
    version: z.number().int(),
    versionId: z.string(),
    webhook: Webhook.optional(),
  })
  .meta({ id: 'PublishedWorkflow' });

export const TriggerInfo = z.object({
  kind: z.enum(['webhook', 'schedule', 'poll', 'manual']),
  webhook: Webhook.optional(),
  cron: z.string().optional(),
  timezone: z.string().optional(),
  nextDueAt: z.string().nullable().optional(),
  pollIntervalSeconds: z.number().int().optional(),
});

export const WorkflowSummary = z
  .object({
    id: z.string(),
    name: z.string(),
    version: z.number().int().nullable(),
    enabled: z.boolean(),
    disabledReason: z.string().nullable(),
    consecutiveFailures: z.number().int(),
    trigger: TriggerInfo.nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'WorkflowSummary' });

export const WorkflowDetail = WorkflowSummary.extend({
  versionId: z.string().nullable(),
  definition: z.record(z.string(), z.unknown()).nullable(),
}).meta({ id: 'WorkflowDetail' });

export const ListQuery = z.strictObject({
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const WorkflowList = z.object({
  items: z.array(WorkflowSummary),
  nextCursor: z.string().nullable(),
});

export const WebhookSecret = z.object({
  secret: z
    .string()
    .describe(
      'shown once: sign the raw body with HMAC-SHA256, send X-Maestro-Signature: sha256=<hex>',
    ),
});

export const VersionList = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      version: z.number().int(),
      active: z.boolean(),
      createdAt: z.string(),
      createdBy: z.string().nullable(),
    }),
  ),
});

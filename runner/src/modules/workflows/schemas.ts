import { z } from 'zod';
import { WorkflowSummary } from '../../../../shared/src/contracts/runner-api/workflows';

// Answers the desktop reads are the shared contract; the rest stays here.
export {
  Published,
  TriggerInfo,
  Webhook,
  WorkflowList,
  WorkflowSummary,
} from '../../../../shared/src/contracts/runner-api/workflows';

/** A workflow v1 document; validated by the shared validator in the handler (errors with JSON paths). */
export const Definition = z
  .record(z.string(), z.unknown())
  .describe('A workflow v1 document (shared/spec/workflow-v1.md), format "maestro/workflow@1"');

export const PublishBody = z.strictObject({ definition: Definition });

export const WorkflowParams = z.object({ id: z.string().describe('workflow id') });

export const WorkflowDetail = WorkflowSummary.extend({
  versionId: z.string().nullable(),
  definition: z.record(z.string(), z.unknown()).nullable(),
}).meta({ id: 'WorkflowDetail' });

export const ListQuery = z.strictObject({
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
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

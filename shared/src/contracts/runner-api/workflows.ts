import { z } from 'zod';

/** Where a webhook-triggered workflow is called. @example Webhook.parse(json).url */
export const Webhook = z.object({
  token: z.string(),
  url: z.string(),
  method: z.string(),
  respond: z.string(),
  signed: z.boolean().describe('whether requests must carry X-Maestro-Signature'),
});
export type Webhook = z.infer<typeof Webhook>;

/**
 * `POST /v1/workflows` → 201 and `PUT /v1/workflows/{id}` → 200: `{ id, version }`, plus the
 * webhook when the trigger is one. @example Published.parse(json).webhook?.url
 */
export const Published = z
  .object({
    id: z.string(),
    version: z.number().int(),
    versionId: z.string(),
    webhook: Webhook.optional(),
  })
  .meta({ id: 'PublishedWorkflow' });
export type Published = z.infer<typeof Published>;

/** What starts a workflow. @example TriggerInfo.parse(json).kind */
export const TriggerInfo = z.object({
  kind: z.enum(['webhook', 'schedule', 'poll', 'manual']),
  webhook: Webhook.optional(),
  cron: z.string().optional(),
  timezone: z.string().optional(),
  nextDueAt: z.string().nullable().optional(),
  pollIntervalSeconds: z.number().int().optional(),
});
export type TriggerInfo = z.infer<typeof TriggerInfo>;

/** A workflow as listed. @example WorkflowSummary.parse(json).enabled */
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
export type WorkflowSummary = z.infer<typeof WorkflowSummary>;

/** `GET /v1/workflows`: a cursor page. @example WorkflowList.parse(json).nextCursor */
export const WorkflowList = z.object({
  items: z.array(WorkflowSummary),
  nextCursor: z.string().nullable(),
});
export type WorkflowList = z.infer<typeof WorkflowList>;

/** The access levels of a restricted workflow's named members, least first. */
export const WORKFLOW_ACCESS_LEVELS = ['view', 'run', 'edit'] as const;
/** @example WorkflowAccessLevel.parse('run') */
export const WorkflowAccessLevel = z
  .enum(WORKFLOW_ACCESS_LEVELS)
  .describe(
    'view: read it and its executions; run: also start and cancel runs; edit: also change it',
  );
export type WorkflowAccessLevel = z.infer<typeof WorkflowAccessLevel>;

/** `GET`/`PUT /v1/workflows/{id}/access`. @example WorkflowAccess.parse(json).restricted */
export const WorkflowAccess = z
  .object({
    restricted: z.boolean(),
    members: z.array(
      z.object({
        userId: z.string(),
        email: z.string(),
        name: z.string(),
        access: WorkflowAccessLevel,
      }),
    ),
  })
  .meta({ id: 'WorkflowAccess' });
export type WorkflowAccess = z.infer<typeof WorkflowAccess>;

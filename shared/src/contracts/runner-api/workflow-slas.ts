import { z } from 'zod';

/**
 * The shortest limit an SLA may set: the runner's index of slow runs starts there
 * (runner/src/notifications/sla-breaches.ts). @example MIN_SLA_SECONDS === 10
 */
export const MIN_SLA_SECONDS = 10;
/** A day: beyond it an SLA says nothing a run could still meet (runs stop at 15 minutes). */
export const MAX_SLA_SECONDS = 86_400;

const seconds = (what: string) =>
  z
    .int('must be a whole number of seconds')
    .min(MIN_SLA_SECONDS, `must be at least ${MIN_SLA_SECONDS} seconds`)
    .max(MAX_SLA_SECONDS, `must be at most ${MAX_SLA_SECONDS} seconds (a day)`)
    .describe(what);

/**
 * The body of `PUT /v1/workflows/{id}/sla` (replaced whole), decision 0018.
 * @example SlaBody.parse({ maxDurationSeconds: 60 }).maxStartDelaySeconds === null
 */
export const SlaBody = z.strictObject({
  maxDurationSeconds: seconds(
    'A run taking longer than this from start to finish (still running or finished) is a breach',
  ),
  maxStartDelaySeconds: seconds(
    'An execution still pending this long after it was created is a breach; null: not watched',
  )
    .nullable()
    .default(null),
});
export type SlaBody = z.infer<typeof SlaBody>;

/**
 * A workflow's SLA (decision 0018): runner-side, not part of the workflow document; the answer
 * of `GET/PUT /v1/workflows/{id}/sla` (GET is 404 when none is set).
 * @example WorkflowSlaInfo.parse(json).maxStartDelaySeconds // null: start delay not watched
 */
export const WorkflowSlaInfo = z
  .object({
    workflowId: z.string(),
    maxDurationSeconds: z.number().int(),
    maxStartDelaySeconds: z.number().int().nullable(),
    updatedAt: z.string(),
  })
  .meta({ id: 'WorkflowSla' });
export type WorkflowSlaInfo = z.infer<typeof WorkflowSlaInfo>;

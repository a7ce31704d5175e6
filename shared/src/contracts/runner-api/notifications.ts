import { z } from 'zod';

/**
 * One in-app notification (`GET /v1/notifications`), addressed to the caller or to the whole
 * organization. Its body is plain text for people; what it is about is in the ids beside it.
 * @example NotificationInfo.parse(json).workflowId // the workflow to open, or null
 */
export const NotificationInfo = z
  .object({
    id: z.string(),
    kind: z.string(),
    title: z.string(),
    body: z.string(),
    workflowId: z
      .string()
      .nullable()
      .describe(
        'The workflow it is about (a failure or SLA digest, a disabled workflow, a quota refusal)',
      ),
    executionId: z
      .string()
      .nullable()
      .describe(
        "The execution to open: a digest's newest failed or late run, a disabled workflow's last run",
      ),
    connectionId: z
      .string()
      .nullable()
      .describe('The connection it is about (an OAuth 2.0 connection to authorize again)'),
    readAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'Notification' });
export type NotificationInfo = z.infer<typeof NotificationInfo>;

/**
 * `GET /v1/notifications[?unread=true]`: newest first, at most 100.
 * @example NotificationList.parse(json).items.length
 */
export const NotificationList = z.object({ items: z.array(NotificationInfo) });
export type NotificationList = z.infer<typeof NotificationList>;

/** The most `GET /v1/notifications` answers with. @example NOTIFICATION_PAGE === 100 */
export const NOTIFICATION_PAGE = 100;

const alertSettingsShape = {
  muteAll: z
    .boolean()
    .describe('true: no failure or SLA alerts for any workflow of the organization'),
  mutedWorkflowIds: z
    .array(z.uuid('must be a workflow id'))
    .max(500)
    .describe('Workflows whose failure and SLA alerts the caller does not want'),
};

/**
 * A member's alert muting in the organization, for failure alerts (decision 0016) and SLA
 * alerts (decision 0018) alike: the answer of
 * `GET/PUT /v1/alert-settings`.
 * @example AlertSettings.parse({ muteAll: false, mutedWorkflowIds: [] })
 */
export const AlertSettings = z.object(alertSettingsShape).meta({ id: 'AlertSettings' });
export type AlertSettings = z.infer<typeof AlertSettings>;

/**
 * The body of `PUT /v1/alert-settings` (replaced whole): the same fields, unknown ones refused.
 * @example AlertSettingsBody.safeParse({ muteAll: true, mutedWorkflowIds: [], x: 1 }).success // false
 */
export const AlertSettingsBody = z.strictObject(alertSettingsShape);
export type AlertSettingsBody = z.infer<typeof AlertSettingsBody>;

import { z } from 'zod';

/** A member's failure-alert muting in the organization (decision 0016). */
export const AlertSettingsBody = z
  .strictObject({
    muteAll: z.boolean().describe('true: no failure alerts for any workflow of the organization'),
    mutedWorkflowIds: z
      .array(z.uuid('must be a workflow id'))
      .max(500)
      .describe('Workflows whose failure alerts the caller does not want'),
  })
  .meta({ id: 'AlertSettings' });
export type AlertSettingsBody = z.infer<typeof AlertSettingsBody>;

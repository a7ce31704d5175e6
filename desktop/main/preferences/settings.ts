import { z } from 'zod';

export const Theme = z.enum(['system', 'light', 'dark']);

/** The user's preferences. `env` feeds `{{ env.X }}` in dry-runs; keys in `secretEnvKeys` are redacted. */
export const Settings = z.object({
  env: z.record(z.string(), z.string()).default({}),
  secretEnvKeys: z.array(z.string()).default([]),
  theme: Theme.default('system'),
  lastOpenWorkflowId: z.string().optional(),
});
export type Settings = z.infer<typeof Settings>;

export const SettingsUpdate = z.strictObject({
  env: z
    .record(
      z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'env names are letters, digits and _'),
      z.string(),
    )
    .optional(),
  secretEnvKeys: z.array(z.string()).optional(),
  theme: Theme.optional(),
  lastOpenWorkflowId: z.string().nullable().optional(),
});
export type SettingsUpdate = z.infer<typeof SettingsUpdate>;

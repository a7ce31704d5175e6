import { z } from 'zod';

/**
 * A variable's key: what a workflow writes after `env.` — the same rule as the
 * CLI's `--env KEY=VALUE` and the desktop's environment (desktop/cli/run-inputs.ts).
 */
export const VARIABLE_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Business limits (docs/runner.md "Organization variables"). */
export const VARIABLE_LIMITS = {
  perOrganization: 200,
  keyLength: 64,
  /** Characters of one value. */
  valueLength: 16_384,
  /** A shorter secret would redact that text everywhere it occurs in results and logs. */
  secretMinLength: 4,
} as const;

export const VariableKeyParams = z.object({
  key: z
    .string()
    .max(VARIABLE_LIMITS.keyLength, `at most ${VARIABLE_LIMITS.keyLength} characters`)
    .regex(VARIABLE_KEY, 'letters, digits and _, not starting with a digit (like API_URL)'),
});

export const VariableBody = z
  .strictObject({
    value: z
      .string()
      .max(VARIABLE_LIMITS.valueLength, `at most ${VARIABLE_LIMITS.valueLength} characters`),
    secret: z
      .boolean()
      .optional()
      .describe(
        'sealed at rest and never returned; when omitted, a replaced variable keeps its setting (new ones are not secret)',
      ),
  })
  .describe('create or replace the variable');
export type VariableBody = z.infer<typeof VariableBody>;

export const VariableInfo = z
  .object({
    key: z.string(),
    value: z
      .string()
      .nullable()
      .describe('null for a secret variable: its value is never returned'),
    secret: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
    updatedBy: z.string().nullable(),
  })
  .meta({ id: 'Variable' });

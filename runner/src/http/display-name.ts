import { z } from 'zod';

/**
 * A name people type and others read (organization, role, account): trimmed, not empty, no
 * control characters — PostgreSQL text refuses NUL (a 500 otherwise), and the others only
 * serve to spoof or break what displays them.
 * @example body: z.strictObject({ name: displayName(200) })
 */
export const displayName = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    // eslint-disable-next-line no-control-regex
    .regex(/^[^\u0000-\u001f\u007f]*$/, 'must not contain control characters');

import type { z } from 'zod';
import { formatPath, valueAt } from './paths';

/** One validation error: where (JSON path) and what, in plain words. */
export interface ValidationError {
  path: string;
  message: string;
}

/**
 * zod issues as plain messages (`required`, `unknown key "foo"`, `must be at most 900000`).
 * `base` is prefixed to each path; `input` is the value that was parsed.
 */
export function issuesToErrors(
  issues: readonly z.core.$ZodIssue[],
  base: readonly PropertyKey[],
  input: unknown,
): ValidationError[] {
  const errors: ValidationError[] = [];
  for (const issue of issues) {
    const path = [...base, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        errors.push({ path: formatPath(path), message: `unknown key "${key}"` });
      continue;
    }
    errors.push({
      path: formatPath(path),
      message: issueMessage(issue, valueAt(input, issue.path)),
    });
  }
  return errors;
}

function issueMessage(issue: z.core.$ZodIssue, value: unknown): string {
  // A message the schema author wrote wins over the generic wording below.
  if (!ZOD_DEFAULT_MESSAGE.test(issue.message) && value !== undefined) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) return 'required';
      return issue.expected === 'int'
        ? 'must be an integer'
        : `expected ${issue.expected}, got ${describe(value)}`;
    case 'invalid_value':
      return issue.values.length === 1
        ? `must be ${JSON.stringify(issue.values[0])}`
        : `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_big':
      return `must be at most ${String(issue.maximum)}${unitOf(issue.origin)}`;
    case 'too_small':
      return issue.origin === 'string' && Number(issue.minimum) === 1 && value === ''
        ? 'must not be empty'
        : `must be at least ${String(issue.minimum)}${unitOf(issue.origin)}`;
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)}`;
    case 'invalid_union':
      return value === undefined ? 'required' : `has an unexpected ${describe(value)} value`;
    default:
      return issue.message;
  }
}

const ZOD_DEFAULT_MESSAGE = /^(Invalid|Too (big|small)|Unrecognized|Expected)\b/;

function unitOf(origin: string): string {
  if (origin === 'string') return ' characters';
  if (origin === 'array' || origin === 'set') return ' items';
  return '';
}

/** The JSON type of a value, for messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && !Number.isFinite(value)) return 'non-finite number';
  if (typeof value === 'number' && !Number.isInteger(value)) return 'number';
  return typeof value;
}

import type { ProblemIssue } from '../../../shared/src/contracts/runner-api';

/** A `{ path, message }` pair from a problem+json `errors` list. */
export type { ProblemIssue };

/**
 * Why a call to a runner failed, in the terms the user acts on:
 * - `unreachable`: no HTTP answer (refused, DNS, TLS, timeout): retry later or fix the URL
 * - `unauthorized`: 401 (wrong password, session ended), `forbidden`: 403 (role)
 * - `invalid` (400), `not-found` (404), `conflict` (409), `rate-limited` (429)
 * - `server`: 5xx or an answer that is not what the API promises
 */
export type RunnerErrorKind =
  | 'unreachable'
  | 'unauthorized'
  | 'forbidden'
  | 'invalid'
  | 'not-found'
  | 'conflict'
  | 'rate-limited'
  | 'server';

export class RunnerError extends Error {
  constructor(
    readonly kind: RunnerErrorKind,
    message: string,
    readonly status?: number,
    readonly issues: ProblemIssue[] = [],
    /** The problem+json `type` the runner answered with (TWO_FACTOR_REQUIRED_TYPE, say). */
    readonly problemType?: string,
  ) {
    super(message);
    this.name = 'RunnerError';
  }
}

export function kindOfStatus(status: number): RunnerErrorKind {
  if (status === 400 || status === 413 || status === 422) return 'invalid';
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (status === 409) return 'conflict';
  if (status === 429) return 'rate-limited';
  return 'server';
}

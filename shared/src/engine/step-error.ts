import type { ErrorCode } from '../model/run-result';
import { assertNever } from '../model/run-result';

/** Who is at fault when a step fails: decides retries and what API clients may see. */
export type ErrorFault = 'user' | 'operational' | 'unexpected';

/** The fault behind each code: user errors are never retried, operational ones may be. */
export function faultOf(code: ErrorCode): ErrorFault {
  switch (code) {
    case 'EXPRESSION':
    case 'VALIDATION':
    case 'CSV':
    case 'FAIL':
    case 'MEMORY':
    case 'BLOCKED_ADDRESS':
      return 'user';
    case 'HTTP_STATUS':
    case 'NETWORK':
    case 'TIMEOUT':
    case 'CODE':
    case 'CIRCUIT_OPEN':
    case 'CANCELED':
      return 'operational';
    case 'INTERNAL':
      return 'unexpected';
    default:
      return assertNever(code);
  }
}

/** Codes retried by default (workflow-v1.md "Retries apply to..."); HTTP_STATUS decides per status. */
const RETRYABLE_BY_DEFAULT: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'NETWORK',
  'TIMEOUT',
  'CODE',
]);

export interface StepErrorOptions {
  retryable?: boolean;
  /** A server's Retry-After, which wins over the backoff. */
  retryAfterMs?: number;
  cause?: unknown;
}

/**
 * The one error type steps fail with.
 * @example throw new StepError('HTTP_STATUS', 'GET https://x returned 503', { retryable: true });
 */
export class StepError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;

  constructor(code: ErrorCode, message: string, options: StepErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StepError';
    this.code = code;
    this.retryable = options.retryable ?? RETRYABLE_BY_DEFAULT.has(code);
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }

  get fault(): ErrorFault {
    return faultOf(this.code);
  }
}

/** Any thrown value as a StepError; anything that is not one is a bug (INTERNAL, not retried). */
export function toStepError(error: unknown): StepError {
  if (error instanceof StepError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new StepError('INTERNAL', `internal error: ${message}`, {
    retryable: false,
    cause: error,
  });
}

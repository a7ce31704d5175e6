import type { TRPC_ERROR_CODE_KEY } from '@trpc/server';
import { TRPCError } from '@trpc/server';
import type { RunnerErrorKind } from '../runner/runner-error';
import { RunnerError } from '../runner/runner-error';
import { IssuesError } from '../workflows/issues-error';
import { procedure } from './trpc';

const CODES: Record<RunnerErrorKind, TRPC_ERROR_CODE_KEY> = {
  unreachable: 'BAD_GATEWAY',
  unauthorized: 'UNAUTHORIZED',
  forbidden: 'FORBIDDEN',
  invalid: 'BAD_REQUEST',
  'not-found': 'NOT_FOUND',
  conflict: 'CONFLICT',
  'rate-limited': 'TOO_MANY_REQUESTS',
  server: 'BAD_GATEWAY',
};

/**
 * A RunnerError becomes a TRPCError with its plain message. Problem `errors`
 * about the published definition (`definition.nodes[1].config.url`) travel
 * as issues with the local validator's paths (`nodes[1].config.url`), so the
 * editor places them like its own.
 */
export function toTrpcError(error: RunnerError): TRPCError {
  const issues = error.issues.map((issue) => ({
    path: issue.path.replace(/^definition\.?/, ''),
    message: issue.message,
  }));
  return new TRPCError({
    code: CODES[error.kind],
    message: error.message,
    cause: issues.length > 0 ? new IssuesError(error.message, issues) : error,
  });
}

/** Procedures that call a runner: its errors reach the renderer as plain messages with the right code. */
export const runnerProcedure = procedure.use(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof RunnerError)
    throw toTrpcError(result.error.cause);
  return result;
});

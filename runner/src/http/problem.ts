import type { ProblemIssue } from '../../../shared/src/contracts/runner-api/problem';
import {
  Problem,
  TWO_FACTOR_REQUIRED_TYPE,
} from '../../../shared/src/contracts/runner-api/problem';

/** RFC 9457 problem details, as every error response of the API is shaped (the shared contract). */
export { Problem };

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function titleOf(status: number): string {
  return TITLES[status] ?? (status >= 500 ? 'Server Error' : 'Client Error');
}

/** A user-facing error: thrown anywhere in a handler, answered as problem+json with this status. */
export class HttpProblem extends Error {
  override name = 'HttpProblem';
  constructor(
    readonly status: number,
    detail: string,
    readonly errors?: ProblemIssue[],
    readonly headers?: Record<string, string>,
  ) {
    super(detail);
  }

  toProblem(): Problem {
    return {
      type: `https://maestro.dev/problems/${this.status}`,
      title: titleOf(this.status),
      status: this.status,
      detail: this.message,
      ...(this.errors ? { errors: this.errors } : {}),
    };
  }
}

export const badRequest = (detail: string, errors?: ProblemIssue[]) =>
  new HttpProblem(400, detail, errors);
export const unauthorized = (detail = 'missing or invalid credentials') =>
  new HttpProblem(401, detail, undefined, { 'www-authenticate': 'Bearer' });
export const forbidden = (detail = 'your role does not allow this action') =>
  new HttpProblem(403, detail);
/** An organization or platform administrator without 2FA: refused everywhere but enrolment. */
export class TwoFactorRequired extends HttpProblem {
  override name = 'TwoFactorRequired';
  constructor() {
    super(
      403,
      'administrators must enable two-factor authentication first (POST /v1/auth/2fa/enrol)',
    );
  }

  override toProblem(): Problem {
    return { ...super.toProblem(), type: TWO_FACTOR_REQUIRED_TYPE };
  }
}
export const notFound = (what = 'resource') => new HttpProblem(404, `${what} not found`);
export const conflict = (detail: string) => new HttpProblem(409, detail);

/** Standard error responses, for route schemas (and so the OpenAPI document lists them). */
export const problemResponses = {
  400: Problem,
  401: Problem,
  403: Problem,
  404: Problem,
  409: Problem,
  429: Problem,
} as const;

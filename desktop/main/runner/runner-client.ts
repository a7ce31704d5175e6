import type { z } from 'zod';
import { Problem } from '../../../shared/src/contracts/runner-api';
import { kindOfStatus, RunnerError } from './runner-error';

export interface RunnerRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path under the base URL, e.g. `/v1/workflows`. */
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  accessToken?: string;
  /** Sent as `X-Organization-Id` (the organization a user token acts in). */
  organizationId?: string;
}

export const REQUEST_TIMEOUT_MS = 15_000;

/**
 * One runner's REST API over fetch, from the main process only. Every answer
 * is checked against the schema the caller expects; every failure becomes a
 * RunnerError whose message can be shown to the user as is (problem+json
 * `detail` when the runner gave one). Tokens never appear in messages.
 */
export class RunnerClient {
  readonly baseUrl: string;

  constructor(
    baseUrl: string,
    private readonly timeoutMs = REQUEST_TIMEOUT_MS,
  ) {
    this.baseUrl = normaliseBaseUrl(baseUrl);
  }

  async send<T extends z.ZodType>(request: RunnerRequest, schema: T): Promise<z.infer<T>> {
    const url = this.url(request);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    if (request.accessToken) headers.authorization = `Bearer ${request.accessToken}`;
    if (request.organizationId) headers['x-organization-id'] = request.organizationId;

    let response: Response;
    try {
      response = await fetch(url, {
        method: request.method,
        headers,
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: 'error',
      });
    } catch (error) {
      throw new RunnerError(
        'unreachable',
        `Cannot reach the runner at ${this.baseUrl}: ${networkReason(error)}.`,
      );
    }
    const text = await response.text();
    if (!response.ok) throw problemError(response.status, text);
    if (response.status === 204) return schema.parse(null) as z.infer<T>;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new RunnerError(
        'server',
        `The runner at ${this.baseUrl} answered ${response.status} with something that is not JSON; is this a Maestro runner?`,
        response.status,
      );
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new RunnerError(
        'server',
        `The runner at ${this.baseUrl} answered in an unexpected shape (${parsed.error.issues[0]?.path.join('.') ?? ''}: ${parsed.error.issues[0]?.message ?? ''}); it may be a different version.`,
        response.status,
      );
    }
    return parsed.data as z.infer<T>;
  }

  /**
   * Where a runner route that answers with a redirect (302) sends the browser, without following
   * it: `GET /v1/auth/oidc/{provider}/start` hands out the provider's authorization URL this way.
   */
  async redirectTarget(request: Pick<RunnerRequest, 'path' | 'query'>): Promise<URL> {
    const url = this.url(request);
    let response: Response;
    try {
      response = await fetch(url, {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: 'manual',
      });
    } catch (error) {
      throw new RunnerError(
        'unreachable',
        `Cannot reach the runner at ${this.baseUrl}: ${networkReason(error)}.`,
      );
    }
    const text = await response.text();
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      const target = new URL(location, url);
      if (target.protocol === 'http:' || target.protocol === 'https:') return target;
    }
    if (!response.ok && !(response.status >= 300 && response.status < 400))
      throw problemError(response.status, text);
    throw new RunnerError(
      'server',
      `The runner at ${this.baseUrl} answered ${response.status} without a usable redirect; it may be a different version.`,
      response.status,
    );
  }

  private url(request: Pick<RunnerRequest, 'path' | 'query'>): URL {
    const url = new URL(this.baseUrl + request.path);
    for (const [key, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined && value !== '') url.searchParams.set(key, String(value));
    }
    return url;
  }
}

/** `https://host:port/` → `https://host:port`; only http(s) URLs without credentials. */
export function normaliseBaseUrl(value: string): string {
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new RunnerError('invalid', 'The runner URL must start with http:// or https://.');
  if (url.username || url.password)
    throw new RunnerError('invalid', 'The runner URL must not contain a user name or password.');
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function problemError(status: number, text: string): RunnerError {
  let problem: Partial<Problem> = {};
  try {
    // Lenient: a proxy's problem+json may carry only a title.
    problem = Problem.partial().safeParse(JSON.parse(text)).data ?? {};
  } catch {
    // Not JSON (a proxy's HTML page, say): the status alone speaks.
  }
  const detail = problem.detail ?? problem.title;
  const message = detail
    ? `The runner refused (${status}): ${detail}`
    : `The runner answered ${status} with no explanation.`;
  return new RunnerError(kindOfStatus(status), message, status, problem.errors ?? [], problem.type);
}

function networkReason(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
    return 'no answer in time';
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code === 'ECONNREFUSED') return 'connection refused';
  if (cause?.code === 'ENOTFOUND') return 'unknown host name';
  return cause?.message ?? (error instanceof Error ? error.message : String(error));
}

import { StepError } from '../engine/step-error';
import type { HttpResponse, ResolvedConnection, StepHost } from '../engine/host';
import { HttpRequestConfig, statusIsOk } from './http-request-config';
import { defineNode } from './node-definition';
import type { NodeRunContext } from './node-definition';
import { parseRetryAfter } from './retry-after';

/** Header values that are credentials: redacted wherever they show up. */
const SENSITIVE_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie']);

export const httpAction = defineNode({
  type: 'action.http',
  title: 'HTTP request',
  description: 'Calls an HTTP API; output { status, headers, body } with a JSON body parsed.',
  category: 'action',
  ports: ['out', 'error'],
  config: HttpRequestConfig,
  usesIo: true,
  resolveSecrets: async (config, host, signal) => {
    const connection = await resolveConnection(config, host, signal);
    return [
      ...(connection?.secrets ?? []),
      ...sensitiveHeaderValues({ ...config.headers, ...connection?.headers }),
    ];
  },
  run: runHttp,
});

/**
 * The engine resolves secrets before announcing a step, then runs it with the
 * same config object: remembering the connection per config saves a second
 * lookup (a database read and a decryption on the runner) per attempt.
 */
const connections = new WeakMap<HttpRequestConfig, ResolvedConnection>();

async function resolveConnection(config: HttpRequestConfig, host: StepHost, signal: AbortSignal) {
  if (!config.auth) return undefined;
  const known = connections.get(config);
  if (known) return known;
  const connection = await host.secrets.resolveConnection(config.auth.connection, signal);
  connections.set(config, connection);
  return connection;
}

async function runHttp(run: NodeRunContext<HttpRequestConfig>) {
  const { config, host, signal } = run;
  const connection = await resolveConnection(config, host, signal);
  if (connection) run.addSecrets(connection.secrets);
  const headers = lowerCaseKeys({ ...config.headers, ...connection?.headers });
  run.addSecrets(sensitiveHeaderValues(headers));
  const url = buildUrl(config.url, { ...config.query, ...connection?.query });
  const body = encodeBody(config.body, config.bodyType, headers);
  const target = `${config.method} ${url.origin}${url.pathname}`;
  const { context } = run;
  const origin = {
    executionId: context.execution.id,
    stepId: run.stepId,
    ...(context.index !== undefined ? { index: context.index } : {}),
  };
  const response = await callThroughCircuit(host, url, () =>
    host.http.request({ method: config.method, url: url.href, headers, body, signal, origin }),
  );
  if (!statusIsOk(response.status, config.okStatus))
    throw statusError(target, response, host.clock.now());
  return {
    output: { status: response.status, headers: response.headers, body: parseBody(response) },
  };
}

/** Keeps the host's circuit informed: 5xx, network errors and timeouts count as host failures. */
async function callThroughCircuit(host: StepHost, url: URL, call: () => Promise<HttpResponse>) {
  host.circuit.beforeCall(url.host);
  let response: HttpResponse;
  try {
    response = await call();
  } catch (error) {
    const code = error instanceof StepError ? error.code : 'NETWORK';
    if (code === 'NETWORK' || code === 'TIMEOUT') host.circuit.onFailure(url.host);
    throw error;
  }
  if (response.status >= 500) host.circuit.onFailure(url.host);
  else host.circuit.onSuccess(url.host);
  return response;
}

function statusError(target: string, response: HttpResponse, now: number): StepError {
  const retryable = response.status === 429 || response.status >= 500;
  const retryAfterMs = retryable
    ? parseRetryAfter(response.headers['retry-after'], now)
    : undefined;
  return new StepError('HTTP_STATUS', `${target} returned ${response.status}`, {
    retryable,
    retryAfterMs,
  });
}

export function sensitiveHeaderValues(headers: Record<string, string>): string[] {
  const values: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (!SENSITIVE_HEADERS.has(name.toLowerCase()) || value === '') continue;
    values.push(value);
    // Servers often echo only the credential ("Bearer <token>" → "<token>").
    const credential = value.replace(/^\S+\s+/, '');
    if (credential !== value && credential.length >= 4) values.push(credential);
  }
  return values;
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value;
  return out;
}

function buildUrl(base: string, query: Record<string, string | number | boolean>): URL {
  const url = new URL(base);
  for (const [name, value] of Object.entries(query)) url.searchParams.append(name, String(value));
  return url;
}

/** Encodes the body and sets a content-type unless the user gave one. */
function encodeBody(
  body: unknown,
  bodyType: HttpRequestConfig['bodyType'],
  headers: Record<string, string>,
) {
  if (body === undefined) return undefined;
  const setType = (type: string) => {
    headers['content-type'] ??= type;
  };
  if (bodyType === 'text') {
    setType('text/plain; charset=utf-8');
    return typeof body === 'string' ? body : JSON.stringify(body);
  }
  if (bodyType === 'form') {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new StepError('VALIDATION', 'body: a form body must be an object of fields', {
        retryable: false,
      });
    }
    setType('application/x-www-form-urlencoded');
    const form = new URLSearchParams();
    for (const [name, value] of Object.entries(body)) {
      form.append(name, typeof value === 'string' ? value : JSON.stringify(value));
    }
    return form.toString();
  }
  setType('application/json');
  return JSON.stringify(body);
}

function parseBody(response: HttpResponse): unknown {
  const type = response.headers['content-type'] ?? '';
  if (!/[/+]json\b/i.test(type) || response.body === '') return response.body;
  try {
    return JSON.parse(response.body) as unknown;
  } catch {
    // A server that lies about its content-type: keep the text rather than fail the step.
    return response.body;
  }
}

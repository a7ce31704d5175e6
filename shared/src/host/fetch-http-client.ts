import type { HttpClient, HttpRequest, HttpResponse } from '../engine/host';
import { cancellation } from '../engine/retry';
import { StepError } from '../engine/step-error';

export interface FetchHttpClientOptions {
  /** Redirects followed per request (default 5); past it the 3xx response is returned. */
  maxRedirects?: number;
  /** Response bodies larger than this fail with NETWORK (default 10 MiB). */
  maxBodyBytes?: number;
  /** Called before each request and each redirect hop: an SSRF guard throws BLOCKED_ADDRESS here. */
  checkUrl?: (url: URL) => Promise<void> | void;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'cookie'];
const BODY_HEADERS = ['content-type', 'content-length'];

/**
 * The product HttpClient on the global fetch. Redirects are followed here (not
 * by fetch) so that every hop goes through `checkUrl` and credentials are not
 * sent to another origin.
 * @example const http = createFetchHttpClient({ maxRedirects: 3 });
 */
export function createFetchHttpClient(options: FetchHttpClientOptions = {}): HttpClient {
  const maxRedirects = options.maxRedirects ?? 5;
  const maxBodyBytes = options.maxBodyBytes ?? 10 * 1024 * 1024;
  return {
    async request(request) {
      let current = request;
      for (let hop = 0; ; hop++) {
        const url = new URL(current.url);
        await options.checkUrl?.(url);
        const response = await send(current, maxBodyBytes);
        const location = response.headers.location;
        if (!REDIRECTS.has(response.status) || location === undefined || hop >= maxRedirects)
          return response;
        current = redirected(current, response.status, new URL(location, url));
      }
    },
  };
}

async function send(request: HttpRequest, maxBodyBytes: number): Promise<HttpResponse> {
  const { method, url, headers, body, signal } = request;
  try {
    const response = await fetch(url, { method, headers, body, signal, redirect: 'manual' });
    const text = await readBody(response, maxBodyBytes, `${method} ${url}`);
    const out: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      out[name.toLowerCase()] = value;
    });
    return { status: response.status, headers: out, body: text };
  } catch (error) {
    if (signal.aborted) throw cancellation(signal);
    if (error instanceof StepError) throw error;
    throw new StepError('NETWORK', `${method} ${url} failed: ${networkReason(error)}`, {
      cause: error,
    });
  }
}

/** Reads the body as it streams in, stopping at maxBodyBytes (a chunked body declares no length). */
async function readBody(response: Response, maxBodyBytes: number, target: string): Promise<string> {
  const tooBig = () =>
    new StepError('NETWORK', `${target}: response body larger than ${maxBodyBytes} bytes`, {
      retryable: false,
    });
  if (Number(response.headers.get('content-length') ?? '0') > maxBodyBytes) {
    await response.body?.cancel();
    throw tooBig();
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    bytes += chunk.value.byteLength;
    if (bytes > maxBodyBytes) {
      await reader.cancel();
      throw tooBig();
    }
    text += decoder.decode(chunk.value, { stream: true });
  }
  return text + decoder.decode();
}

/** 303 (and 301/302 after a POST, as browsers do) become a GET without a body; credentials stay on their origin. */
function redirected(request: HttpRequest, status: number, next: URL): HttpRequest {
  const previous = new URL(request.url);
  const crossOrigin = next.origin !== previous.origin;
  const toGet = status === 303 || ((status === 301 || status === 302) && request.method === 'POST');
  const dropped = [...(crossOrigin ? CREDENTIAL_HEADERS : []), ...(toGet ? BODY_HEADERS : [])];
  const headers = Object.fromEntries(
    Object.entries(request.headers).filter(([name]) => !dropped.includes(name.toLowerCase())),
  );
  if (!toGet) return { ...request, url: next.href, headers };
  return {
    ...request,
    url: next.href,
    headers,
    method: request.method === 'HEAD' ? 'HEAD' : 'GET',
    body: undefined,
  };
}

/** "fetch failed" says nothing: the reason is on `cause` (ECONNREFUSED, ENOTFOUND...). */
function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  if (cause?.code) return `${cause.message ?? cause.code} (${cause.code})`;
  return error instanceof Error ? error.message : String(error);
}

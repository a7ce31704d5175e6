import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction, type Socket } from 'node:net';
import { Agent, buildConnector, request as undiciRequest } from 'undici';
import type { HttpClient, HttpRequest, HttpResponse } from '../../../shared/src/engine/host';
import { StepError } from '../../../shared/src/engine/step-error';
import type { AddressPolicy } from './address-policy';

/** Refusal by the SSRF guard; carried through undici's connect path and turned into BLOCKED_ADDRESS. */
export class BlockedAddressError extends Error {
  readonly code = 'BLOCKED_ADDRESS';
  constructor(message: string) {
    super(message);
    this.name = 'BlockedAddressError';
  }
}

export interface GuardedHttpClientOptions {
  policy: AddressPolicy;
  maxRedirects?: number;
  maxResponseBytes?: number;
  connectTimeoutMs?: number;
}

export interface GuardedHttpClient extends HttpClient {
  close(): Promise<void>;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * The worker's HTTP client. The guard runs twice per connection: the DNS
 * lookup only offers addresses the policy accepts, and once connected the
 * socket's actual peer address is checked again — so IP literals, DNS
 * rebinding between check and connect, and redirects (every hop opens its own
 * connection through the same agent) cannot reach a refused address.
 */
export function createGuardedHttpClient(options: GuardedHttpClientOptions): GuardedHttpClient {
  const { policy, maxRedirects = 5, maxResponseBytes = 10 * 1024 * 1024 } = options;
  const connect = buildConnector({
    lookup: guardedLookup(policy),
    timeout: options.connectTimeoutMs ?? 10_000,
  });
  const agent = new Agent({
    connect(connectOptions, callback) {
      // An IP literal never goes through the lookup: refuse it before dialling (169.254.169.254 would hang).
      const literal = isIP(connectOptions.hostname.replace(/^\[|\]$/g, ''))
        ? policy.refusal(connectOptions.hostname)
        : undefined;
      if (literal)
        return callback(
          new BlockedAddressError(`refused to connect to ${connectOptions.hostname}: ${literal}`),
          null,
        );
      connect(connectOptions, (error, socket) => {
        if (error || !socket) return callback(error ?? new Error('no socket'), null);
        const peer = (socket as Socket).remoteAddress ?? '';
        const refusal = policy.refusal(peer);
        if (refusal) {
          socket.destroy();
          return callback(
            new BlockedAddressError(`refused to connect to ${connectOptions.hostname}: ${refusal}`),
            null,
          );
        }
        callback(null, socket);
      });
    },
  });

  async function send(req: HttpRequest): Promise<HttpResponse> {
    let url = parseHttpUrl(req.url);
    let { method, body } = req;
    let headers = { ...req.headers };
    for (let hop = 0; ; hop++) {
      const response = await undiciRequest(url, {
        method,
        headers,
        body,
        signal: req.signal,
        dispatcher: agent,
      });
      const location = response.headers.location;
      if (!REDIRECTS.has(response.statusCode) || typeof location !== 'string') {
        return {
          status: response.statusCode,
          headers: flattenHeaders(response.headers),
          body: await readCapped(response.body, maxResponseBytes, url),
        };
      }
      await response.body.dump();
      if (hop >= maxRedirects)
        throw new StepError(
          'NETWORK',
          `${req.method} ${url.origin}: more than ${maxRedirects} redirects`,
        );
      const next = parseHttpUrl(new URL(location, url).href);
      if (
        response.statusCode === 303 ||
        ((response.statusCode === 301 || response.statusCode === 302) && method === 'POST')
      ) {
        method = 'GET';
        body = undefined;
        headers = withoutBodyHeaders(headers);
      }
      // Credentials are for the origin they were given to, not wherever it redirects.
      if (next.origin !== url.origin) headers = withoutCredentials(headers);
      url = next;
    }
  }

  return {
    async request(req) {
      try {
        return await send(req);
      } catch (error) {
        throw toHttpStepError(error, req);
      }
    },
    close: () => agent.close(),
  };
}

function guardedLookup(policy: AddressPolicy): LookupFunction {
  return (hostname, lookupOptions, callback) => {
    dnsLookup(
      hostname,
      { all: true, family: lookupOptions.family, hints: lookupOptions.hints },
      (error, found) => {
        if (error) return callback(error, '', 0);
        const addresses = found as LookupAddress[];
        const usable = addresses.filter((entry) => !policy.refusal(entry.address));
        const first = usable[0];
        if (!first) {
          const refused = addresses[0]?.address ?? hostname;
          const reason = policy.refusal(refused) ?? 'no address';
          return callback(
            new BlockedAddressError(`${hostname} resolves to ${refused}: ${reason}`),
            '',
            0,
          );
        }
        if (lookupOptions.all)
          return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, usable);
        callback(null, first.address, first.family);
      },
    );
  };
}

function parseHttpUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new StepError('VALIDATION', `not a valid URL: ${text}`, { retryable: false });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new StepError('VALIDATION', `only http and https URLs are allowed, not ${url.protocol}`, {
      retryable: false,
    });
  }
  return url;
}

async function readCapped(
  body: AsyncIterable<Buffer> & { destroy(): void },
  limit: number,
  url: URL,
) {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > limit) {
      body.destroy();
      throw new StepError(
        'NETWORK',
        `${url.origin}${url.pathname}: response larger than ${limit} bytes`,
        { retryable: false },
      );
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function flattenHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined)
      out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function withoutBodyHeaders(headers: Record<string, string>) {
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => !/^content-(type|length|encoding)$/i.test(name)),
  );
}

function withoutCredentials(headers: Record<string, string>) {
  return Object.fromEntries(
    Object.entries(headers).filter(
      ([name]) => !/^(authorization|proxy-authorization|cookie)$/i.test(name),
    ),
  );
}

/** Maps whatever undici threw to the engine's codes: BLOCKED_ADDRESS, CANCELED/TIMEOUT (the signal's), NETWORK. */
function toHttpStepError(error: unknown, req: HttpRequest): unknown {
  if (error instanceof StepError) return error;
  const blocked = findBlocked(error);
  if (blocked) return new StepError('BLOCKED_ADDRESS', blocked.message, { retryable: false });
  // The engine aborts with a reason it understands (attempt timeout, cancel): hand that back.
  if (req.signal.aborted)
    return req.signal.reason instanceof Error
      ? req.signal.reason
      : new StepError('CANCELED', 'canceled');
  const message = error instanceof Error ? error.message : String(error);
  let target = req.url;
  try {
    const parsed = new URL(req.url);
    target = `${parsed.origin}${parsed.pathname}`;
  } catch {
    // keep the raw text
  }
  return new StepError('NETWORK', `${req.method} ${target}: ${message}`, { cause: error });
}

function findBlocked(error: unknown): BlockedAddressError | undefined {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    if (current instanceof BlockedAddressError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

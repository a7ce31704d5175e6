import rateLimit, {
  type CreateRateLimitOptions,
  type FastifyRateLimitStoreCtor,
} from '@fastify/rate-limit';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isApiKey, sha256 } from '../modules/auth/tokens';
import { HttpProblem } from './problem';

const MINUTE_MS = 60_000;
const WEBHOOK_ROUTE = '/v1/hooks/:token';
const PROBES = new Set(['/healthz', '/readyz', '/metrics']);
/** The headers a client may read to pace itself (also exposed through CORS in app.ts). */
export const RATE_LIMIT_HEADERS = [
  'x-ratelimit-limit',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
];

type LimitResult = Awaited<ReturnType<ReturnType<FastifyInstance['createRateLimit']>>>;

/**
 * Request budgets (fixed one-minute windows, @fastify/rate-limit):
 * - authenticated calls: per API key id or user id (`MAESTRO_RATE_LIMIT_PER_MINUTE`), whatever
 *   token the user holds at the moment;
 * - anonymous calls (no credentials, public routes, unknown routes): per client IP, same number;
 * - the auth routes: per IP and route (`MAESTRO_AUTH_RATE_LIMIT_PER_MINUTE`, their `config.rateLimit`);
 * - webhooks: per token (`MAESTRO_WEBHOOK_RATE_LIMIT_PER_MINUTE`), counted in the process.
 * Requests refused for an invalid API key count in the IP's anonymous budget; once it is spent,
 * unknown keys from that IP are refused before their lookup. Probes are not limited. The first three are counted in PostgreSQL (`rate_limit_hits`), so every
 * API process shares them; the webhook budget is per process to keep the hot path free of an
 * extra statement (docs/decisions/0009-rate-limits-quotas-tls.md).
 * Call before installAuth: the anonymous check runs before authentication, the
 * authenticated one is added to each route so that it runs after it.
 */
export async function installRateLimits(app: FastifyInstance): Promise<void> {
  const config = app.runnerConfig;
  const store = postgresRateLimitStore(app.orm);
  await app.register(rateLimit, {
    global: false,
    // The published types omit the window and max that the plugin passes to incr().
    store: store.Store as unknown as FastifyRateLimitStoreCtor,
    // Routes with their own `config.rateLimit` (the auth routes) count per client IP.
    keyGenerator: (request) => `ip:${request.ip}`,
    // A limiter that cannot count lets requests through rather than failing them.
    skipOnError: true,
    errorResponseBuilder: (_request, context) =>
      tooMany(context.max, Math.ceil(context.ttl / 1000), 'IP address'),
  });
  app.addHook('onClose', async () => store.close());

  const perCredential = app.createRateLimit({
    max: config.rateLimitPerMinute,
    timeWindow: MINUTE_MS,
    keyGenerator: (request) => credentialKey(request),
  });
  const perIp = app.createRateLimit({
    max: config.rateLimitPerMinute,
    timeWindow: MINUTE_MS,
    keyGenerator: (request) => `anon:${request.ip}`,
  });
  const perWebhook = app.createRateLimit({
    max: config.webhookRateLimitPerMinute,
    timeWindow: MINUTE_MS,
    keyGenerator: (request) => `hook:${(request.params as { token?: string }).token ?? ''}`,
    localOnly: true,
  } as CreateRateLimitOptions);

  // Before authentication: webhooks by token, anonymous calls by IP.
  app.addHook('onRequest', async (request, reply) => {
    const route = request.routeOptions;
    if (route.url === WEBHOOK_ROUTE)
      return enforce(await perWebhook(request), reply, 'webhook token');
    if (PROBES.has(route.url ?? '') || route.config?.rateLimit) return;
    const access = route.config?.access;
    if (!access || access === 'public' || !request.headers.authorization)
      return enforce(await perIp(request), reply, 'IP address');
    // An IP that has spent its anonymous budget on invalid API keys gets no more key lookups
    // (each unknown key costs a database read); keys this process knows to be valid pass.
    const apiKey = presentedApiKey(request);
    const until = refusedIps.get(request.ip);
    if (apiKey && until !== undefined) {
      if (until <= Date.now()) refusedIps.delete(request.ip);
      else if (!app.credentialCache.apiKeys.get(sha256(apiKey)))
        throw tooMany(
          config.rateLimitPerMinute,
          Math.ceil((until - Date.now()) / 1000),
          'IP address',
        );
    }
  });

  // Requests refused for an invalid API key count against the IP's anonymous budget; once it is
  // spent this process refuses that IP's unknown keys before looking them up (above).
  const refusedIps = new Map<string, number>();
  app.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode !== 401 || !presentedApiKey(request)) return;
    const result = await perIp(request);
    if (result.isAllowed || !result.isExceeded) return;
    refusedIps.set(request.ip, Date.now() + result.ttl);
    if (refusedIps.size > 10_000) refusedIps.delete(refusedIps.keys().next().value as string);
  });

  // After authentication (a route-level hook runs after the app-level ones): by credential.
  app.addHook('onRoute', (route) => {
    const access = route.config?.access;
    if (!access || access === 'public' || route.config?.rateLimit) return;
    const hook = async (request: FastifyRequest, reply: FastifyReply) => {
      if (request.principal)
        await enforce(await perCredential(request), reply, credentialKind(request));
    };
    route.onRequest = [...toArray(route.onRequest), hook] as typeof route.onRequest;
  });
}

function presentedApiKey(request: FastifyRequest): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  return match && isApiKey(match[1]!) ? match[1] : undefined;
}

function toArray<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function credentialKey(request: FastifyRequest): string {
  const p = request.principal;
  if (!p) return `anon:${request.ip}`;
  return p.kind === 'apiKey' ? `key:${p.apiKeyId}` : `user:${p.userId}`;
}

const credentialKind = (request: FastifyRequest) =>
  request.principal?.kind === 'apiKey' ? 'API key' : 'user';

/** Sets the budget headers, and throws 429 (problem+json, Retry-After) once it is spent. */
async function enforce(result: LimitResult, reply: FastifyReply, per: string): Promise<void> {
  if (result.isAllowed || result.ttl === 0) return;
  reply.header('x-ratelimit-limit', result.max);
  reply.header('x-ratelimit-remaining', result.remaining);
  reply.header('x-ratelimit-reset', result.ttlInSeconds);
  if (result.isExceeded) throw tooMany(result.max, result.ttlInSeconds, per);
}

function tooMany(max: number, retryAfterSeconds: number, per: string): HttpProblem {
  const seconds = Math.max(1, retryAfterSeconds);
  return new HttpProblem(
    429,
    `rate limit exceeded: ${max} requests per minute per ${per}; retry in ${seconds} s`,
    undefined,
    { 'retry-after': String(seconds) },
  );
}

type Incr = (error: Error | null, result?: { current: number; ttl: number }) => void;

/**
 * One upsert per request on the UNLOGGED `rate_limit_hits` table: a fixed window that starts at
 * a key's first hit (database clock, so every process agrees) and restarts once it has passed.
 */
const HIT = `
insert into rate_limit_hits as r (key, window_start, hits) values (?, now(), 1)
on conflict (key) do update set
  hits = case when r.window_start <= now() - make_interval(secs => ?) then 1 else r.hits + 1 end,
  window_start = case when r.window_start <= now() - make_interval(secs => ?) then now() else r.window_start end
returning hits, greatest(1, ceil(extract(epoch from (window_start + make_interval(secs => ?) - now())) * 1000))::int as ttl_ms`;

/** Expired windows are deleted every few minutes by each process (the table only holds live counters). */
const PRUNE_EVERY_MS = 5 * MINUTE_MS;

function postgresRateLimitStore(orm: MikroORM) {
  const prune = setInterval(() => {
    orm.em
      .getConnection()
      .execute(`delete from rate_limit_hits where window_start < now() - interval '1 hour'`)
      .catch(() => undefined);
  }, PRUNE_EVERY_MS);
  prune.unref();

  class PostgresStore {
    constructor(
      _options?: unknown,
      private readonly prefix = '',
    ) {}

    incr(key: string, callback: Incr, timeWindow: number): void {
      const seconds = timeWindow / 1000;
      orm.em
        .getConnection()
        .execute<{ hits: number; ttl_ms: number }[]>(HIT, [
          this.prefix + key,
          seconds,
          seconds,
          seconds,
        ])
        .then(
          ([row]) => callback(null, { current: row!.hits, ttl: row!.ttl_ms }),
          (error: Error) => callback(error),
        );
    }

    child(options: {
      localOnly?: boolean;
      routeInfo?: { method?: string | string[]; url?: string };
    }) {
      if (options.localOnly) return new MemoryStore();
      // A route's own budget (auth routes) is separate from every other route's.
      const route = options.routeInfo?.url
        ? `${String(options.routeInfo.method)} ${options.routeInfo.url}|`
        : '';
      return new PostgresStore(undefined, route);
    }
  }
  return { Store: PostgresStore, close: () => clearInterval(prune) };
}

/** The same fixed windows in this process's memory (for webhooks), bounded in size. */
class MemoryStore {
  private readonly windows = new Map<string, { start: number; hits: number }>();

  incr(key: string, callback: Incr, timeWindow: number): void {
    const now = Date.now();
    let window = this.windows.get(key);
    if (!window || window.start + timeWindow <= now) {
      window = { start: now, hits: 0 };
      this.windows.delete(key);
      this.windows.set(key, window);
      if (this.windows.size > 10_000)
        this.windows.delete(this.windows.keys().next().value as string);
    }
    window.hits++;
    callback(null, { current: window.hits, ttl: window.start + timeWindow - now });
  }

  child(): MemoryStore {
    return new MemoryStore();
  }
}

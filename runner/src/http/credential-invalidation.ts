import type { FastifyInstance } from 'fastify';
import { listenForInvalidations, type CacheName } from '../cache/cache-invalidation';

/** The caches an API process keeps in app.credentialCache (the worker keeps `variables`). */
const API_CACHES = [
  'apiKeys',
  'memberships',
  'accounts',
  'ipAllowlists',
] as const satisfies readonly CacheName[];
type ApiCache = (typeof API_CACHES)[number];

const isApiCache = (cache: CacheName): cache is ApiCache =>
  (API_CACHES as readonly CacheName[]).includes(cache);

/**
 * Keeps this API process's access caches (http/auth.ts: API keys, memberships, account status,
 * IP allowlists) in step with the database: a key revoked, a member removed, an account
 * disabled or an allowlist replaced through any process is dropped here as soon as that change
 * commits, not when the cached copy expires. Call after installAuth.
 */
export function installCredentialInvalidation(app: FastifyInstance): void {
  const caches = app.credentialCache;
  const listener = listenForInvalidations({
    connectionString: app.runnerConfig.databaseUrl,
    onInvalidate(cache, key) {
      if (isApiCache(cache)) caches[cache].clear(key);
    },
    clearAll() {
      for (const cache of API_CACHES) caches[cache].clear();
    },
    onError: (error) =>
      app.log.warn({ err: error }, 'credential cache: invalidation listener error'),
  });
  app.addHook('onClose', () => listener.close());
}

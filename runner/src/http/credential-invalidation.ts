import type { FastifyInstance } from 'fastify';
import { listenForInvalidations } from '../cache/cache-invalidation';

/**
 * Keeps this API process's credential cache (http/auth.ts) in step with the
 * database: an API key revoked or a member removed through any process is
 * dropped here as soon as that change commits, not when the cached copy
 * expires. Call after installAuth.
 */
export function installCredentialInvalidation(app: FastifyInstance): void {
  const caches = app.credentialCache;
  const listener = listenForInvalidations({
    connectionString: app.runnerConfig.databaseUrl,
    onInvalidate(cache, key) {
      if (cache === 'apiKeys') caches.apiKeys.clear(key);
      else if (cache === 'memberships') caches.memberships.clear(key);
    },
    clearAll() {
      caches.apiKeys.clear();
      caches.memberships.clear();
    },
    onError: (error) =>
      app.log.warn({ err: error }, 'credential cache: invalidation listener error'),
  });
  app.addHook('onClose', () => listener.close());
}

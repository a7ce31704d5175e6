import { createPgListener, type PgListener } from '../outbox/pg-listener';

/**
 * One PostgreSQL NOTIFY channel for "drop this entry from your cache", so a
 * change made through one runner process (an API key revoked, a member
 * removed, a variable set, an account disabled, an IP allowlist replaced) takes effect in every other process at once
 * instead of when its cached copy expires. Triggers on the cached tables send
 * it at commit (Migration20261125073308_cache_invalidation,
 * Migration20261125100320_access_invalidation). Payload:
 * `{ "cache", "key" }`; `key` is a prefix (the TtlCache.clear convention).
 */
export const CACHE_INVALIDATION_CHANNEL = 'maestro_cache_invalidation';

export const CACHE_NAMES = [
  'apiKeys',
  'memberships',
  'variables',
  // Account status (disabled, platform administrator) by user id; Migration20261125100320_access_invalidation.
  'accounts',
  // An organization's IP allowlists by organization id; same migration.
  'ipAllowlists',
] as const;
export type CacheName = (typeof CACHE_NAMES)[number];

export interface InvalidationListenerOptions {
  connectionString: string;
  onInvalidate(cache: CacheName, key: string): void;
  /**
   * After every (re)connection (invalidations sent while this process was not
   * listening are lost) and on an unreadable message: drop everything cached.
   */
  clearAll(): void;
  onError?(error: unknown): void;
}

/** Listens on the channel through the runner's reconnecting pg listener (outbox/pg-listener.ts). */
export function listenForInvalidations(options: InvalidationListenerOptions): PgListener {
  return createPgListener({
    connectionString: options.connectionString,
    channels: [CACHE_INVALIDATION_CHANNEL],
    onConnected: options.clearAll,
    onError: options.onError,
    onNotification(_channel, payload) {
      const message = parseMessage(payload);
      if (message) options.onInvalidate(message.cache, message.key);
      // Unreadable payload (a newer process version?): dropping everything is the safe reading.
      else options.clearAll();
    },
  });
}

function parseMessage(payload: string): { cache: CacheName; key: string } | undefined {
  try {
    const value = JSON.parse(payload) as { cache?: unknown; key?: unknown };
    if (
      typeof value.key === 'string' &&
      (CACHE_NAMES as readonly unknown[]).includes(value.cache)
    ) {
      return { cache: value.cache as CacheName, key: value.key };
    }
  } catch {
    // fall through
  }
  return undefined;
}

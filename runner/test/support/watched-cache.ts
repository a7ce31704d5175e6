import { TtlCache } from '../../src/http/ttl-cache';

/**
 * A TtlCache (long-lived in tests, so only an invalidation can drop an entry) that tells when
 * an entry is dropped: a test waits for the invalidation to arrive instead of sleeping.
 */
export class WatchedCache<V> extends TtlCache<V> {
  private waiters: { key: string; resolve: () => void }[] = [];

  override clear(prefix = ''): void {
    super.clear(prefix);
    this.waiters = this.waiters.filter((waiter) => {
      if (!waiter.key.startsWith(prefix)) return true;
      waiter.resolve();
      return false;
    });
  }

  /** Resolves on the next clear() that covers `key`. Call before making the change. */
  clearedFor(key: string): Promise<void> {
    return new Promise((resolve) => this.waiters.push({ key, resolve }));
  }
}

/**
 * A small in-process cache with a time to live and a size bound (oldest entries go first).
 * Used for credential lookups on the hot path. Changes made anywhere reach every process's
 * caches through cache invalidations (cache/cache-invalidation.ts) that call clear(); the TTL
 * only bounds staleness when one is missed.
 *
 * The look-up pattern is `get` (a miss) → read the database → `set`. A clear that lands
 * between the miss and the set may be about the very row just read, so such a set is
 * dropped: a revocation cannot be undone by a look-up that was already in flight.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();
  /** Keys that missed, with the clear generation at the time. */
  private readonly misses = new Map<string, number>();
  private generation = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt > Date.now()) return entry.value;
    if (entry) this.entries.delete(key);
    if (this.misses.size >= this.maxEntries) this.misses.clear();
    this.misses.set(key, this.generation);
    return undefined;
  }

  set(key: string, value: V): void {
    const missedAt = this.misses.get(key);
    this.misses.delete(key);
    if (missedAt !== undefined && missedAt !== this.generation) return;
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { value, expiresAt: Date.now() + this.ttlMs });
  }

  /** Drops every entry whose key starts with `prefix` (or all). */
  clear(prefix = ''): void {
    this.generation++;
    for (const key of [...this.entries.keys()])
      if (key.startsWith(prefix)) this.entries.delete(key);
  }
}

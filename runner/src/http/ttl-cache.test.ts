import { describe, expect, it, vi } from 'vitest';
import { TtlCache } from './ttl-cache';

describe('TtlCache', () => {
  it('forgets entries after the TTL, evicts the oldest past the bound, clears by prefix', () => {
    vi.useFakeTimers();
    try {
      const cache = new TtlCache<string>(1000, 2);
      cache.set('a:1', 'x');
      cache.set('a:2', 'y');
      cache.set('b:1', 'z'); // evicts a:1
      expect(cache.get('a:1')).toBeUndefined();
      expect(cache.get('a:2')).toBe('y');
      cache.clear('a:');
      expect(cache.get('a:2')).toBeUndefined();
      expect(cache.get('b:1')).toBe('z');
      vi.advanceTimersByTime(1001);
      expect(cache.get('b:1')).toBeUndefined();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('TtlCache and look-ups in flight', () => {
  it('does not store a value looked up before a clear, and stores the next one', () => {
    const cache = new TtlCache<string>(60_000);
    expect(cache.get('key')).toBeUndefined(); // look-up starts
    cache.clear('key'); // revoked meanwhile
    cache.set('key', 'valid'); // the look-up's (maybe stale) answer
    expect(cache.get('key')).toBeUndefined();
    cache.set('key', 'revoked');
    expect(cache.get('key')).toBe('revoked');
  });
});

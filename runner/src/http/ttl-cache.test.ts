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

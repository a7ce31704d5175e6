import { describe, expect, it } from 'vitest';
import { parseRetryAfter, retryDelayMs, verdictOf } from './retry-policy';

describe('event delivery retry policy', () => {
  it('delivers on 2xx, retries 408, 429, 5xx and network errors, and takes other answers as final', () => {
    expect([200, 204, 299].map(verdictOf)).toEqual(['delivered', 'delivered', 'delivered']);
    expect([408, 429, 500, 503, undefined].map(verdictOf)).toEqual(Array(5).fill('retry'));
    expect([301, 400, 401, 404, 410, 422].map(verdictOf)).toEqual(Array(6).fill('reject'));
  });

  it('backs off exponentially with jitter in the upper half, up to an hour', () => {
    const low = () => 0;
    const high = () => 0.999_999_999;
    expect(retryDelayMs(1, undefined, low)).toBe(2_500);
    expect(retryDelayMs(1, undefined, high)).toBe(5_000);
    expect(retryDelayMs(4, undefined, low)).toBe(20_000);
    expect(retryDelayMs(30, undefined, high)).toBe(3_600_000);
    expect(retryDelayMs(30, undefined, low)).toBe(1_800_000);
  });

  it('waits at least as long as Retry-After asks, capped at the hour', () => {
    expect(retryDelayMs(1, 120, () => 0)).toBe(120_000);
    expect(retryDelayMs(1, 86_400, () => 0)).toBe(3_600_000);
    const now = new Date('2026-11-25T10:00:00Z');
    expect(parseRetryAfter('30', now)).toBe(30);
    expect(parseRetryAfter('Wed, 25 Nov 2026 10:01:00 GMT', now)).toBe(60);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

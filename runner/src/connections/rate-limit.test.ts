import { describe, expect, it } from 'vitest';
import { nextSlot } from './rate-limit';

const limit = { requests: 3, intervalMs: 1_000 };

/** Takes `n` slots at `now` one after the other, as concurrent callers would. */
function take(n: number, now: number, slots: number[] = []) {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const next = nextSlot(slots, now, limit);
    times.push(next.at);
    slots = next.slots;
  }
  return { times, slots };
}

describe('nextSlot', () => {
  it('lets `requests` through at once, then one interval after the oldest of the window', () => {
    expect(take(7, 10_000).times).toEqual([10_000, 10_000, 10_000, 11_000, 11_000, 11_000, 12_000]);
  });

  it('never puts more than `requests` slots in any window of the interval', () => {
    const { times } = take(50, 0);
    for (let i = limit.requests; i < times.length; i++)
      expect(times[i]! - times[i - limit.requests]!).toBeGreaterThanOrEqual(limit.intervalMs);
  });

  it('forgets slots older than the interval and keeps at most `requests` of them', () => {
    const { slots } = take(3, 0);
    const later = nextSlot(slots, 1_000, limit);
    expect(later.at).toBe(1_000);
    expect(later.slots).toEqual([1_000]);
    expect(take(10, 0).slots).toHaveLength(limit.requests);
  });

  it('a slot half an interval later waits for the rest of it', () => {
    const { slots } = take(3, 0);
    expect(nextSlot(slots, 500, limit).at).toBe(1_000);
  });
});

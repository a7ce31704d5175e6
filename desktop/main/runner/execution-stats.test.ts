import { describe, expect, it } from 'vitest';
import { ratesOf, STATS_WINDOWS } from './execution-stats';

const none = { pending: 0, running: 0, success: 0, failed: 0, canceled: 0 };

describe('ratesOf', () => {
  it('counts rates over the runs that ended, not those still pending or running', () => {
    expect(ratesOf({ ...none, pending: 5, running: 2, success: 3, failed: 1 })).toEqual({
      ended: 4,
      successRate: 0.75,
      failureRate: 0.25,
    });
    // Canceled runs ended without succeeding or failing: in the total, in neither rate.
    expect(ratesOf({ ...none, success: 1, failed: 2, canceled: 1 })).toEqual({
      ended: 4,
      successRate: 0.25,
      failureRate: 0.5,
    });
  });

  it('has no rate while nothing has ended (not 0 %, which would read as all failing)', () => {
    expect(ratesOf({ ...none, running: 3 })).toEqual({
      ended: 0,
      successRate: null,
      failureRate: null,
    });
  });

  it('offers windows the runner accepts (at most 31 days back)', () => {
    for (const { ms } of Object.values(STATS_WINDOWS))
      expect(ms).toBeLessThanOrEqual(31 * 24 * 60 * 60 * 1000);
  });
});

import { describe, expect, it } from 'vitest';
import type { Clock } from './host';
import { createSystemClock } from './system-clock';
import { startTimer } from './timer';

const system = createSystemClock();
/** A host clock with only the required methods: startTimer falls back to sleep. */
const sleepOnly: Clock = { now: system.now, sleep: system.sleep };
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('startTimer', () => {
  for (const [name, clock] of [
    ['setTimer', system],
    ['sleep fallback', sleepOnly],
  ] as const) {
    it(`fires after the delay, and not once cancelled (${name})`, async () => {
      let fired = 0;
      startTimer(clock, 10, () => fired++);
      const cancel = startTimer(clock, 10, () => (fired += 100));
      cancel();
      await wait(40);
      expect(fired).toBe(1);
    });
  }
});

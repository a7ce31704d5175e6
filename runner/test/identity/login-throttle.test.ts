import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLoginThrottle } from '../../src/identity/login-throttle';
import { createTestDatabase, type TestDatabase } from '../support/test-db';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db?.drop());

describe('login throttle counters in PostgreSQL', () => {
  it('locks for the window after the limit, then forgets', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const throttle = createLoginThrottle(db.orm, {
      maxPerAccount: 2,
      maxPerIp: 100,
      windowMs: 60_000,
      now: () => now,
    });
    await throttle.recordFailure('a@x', '1.1.1.1');
    expect(await throttle.retryAfter('a@x', '1.1.1.1')).toBe(0);
    await throttle.recordFailure('a@x', '1.1.1.1');
    expect(await throttle.retryAfter('a@x', '9.9.9.9')).toBe(60);
    now += 30_000;
    expect(await throttle.retryAfter('a@x', '9.9.9.9')).toBe(30);
    now += 30_001;
    expect(await throttle.retryAfter('a@x', '9.9.9.9')).toBe(0);
    // A new window starts from one.
    await throttle.recordFailure('a@x', '1.1.1.1');
    expect(await throttle.retryAfter('a@x', '1.1.1.1')).toBe(0);
  });

  it('shares the budget between throttles on the same database (several API processes)', async () => {
    const one = createLoginThrottle(db.orm, { maxPerAccount: 4 });
    const two = createLoginThrottle(db.orm, { maxPerAccount: 4 });
    await Promise.all([
      one.recordFailure('b@x', '2.2.2.2'),
      two.recordFailure('b@x', '2.2.2.3'),
      one.recordFailure('b@x', '2.2.2.4'),
      two.recordFailure('b@x', '2.2.2.5'),
    ]);
    expect(await one.retryAfter('b@x', '8.8.8.8')).toBeGreaterThan(890);
    expect(await two.retryAfter('b@x', '8.8.8.8')).toBeGreaterThan(890);
    await one.recordSuccess('b@x');
    expect(await two.retryAfter('b@x', '8.8.8.8')).toBe(0);
  });
});

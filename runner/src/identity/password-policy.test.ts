import { describe, expect, it } from 'vitest';
import { createLoginThrottle } from './login-throttle';
import { commonPasswords, passwordProblem } from './password-policy';

describe('passwordProblem', () => {
  it('bundles thousands of common passwords and refuses them case-insensitively', () => {
    expect(commonPasswords().size).toBeGreaterThan(10_000);
    expect(passwordProblem('Football2020!')).toMatch(/common/);
    expect(passwordProblem('1q2w3e4r5t')).toMatch(/common/);
    expect(passwordProblem('violet staple orbit 42')).toBeNull();
  });
  it('counts characters, not UTF-16 units', () => {
    expect(passwordProblem('😀😀😀😀😀')).toMatch(/at least 10/);
    expect(passwordProblem('ünïcødé wörds ok')).toBeNull();
  });
});

describe('createLoginThrottle', () => {
  it('locks for the window after the limit, then forgets', () => {
    let now = 1_000_000;
    const throttle = createLoginThrottle({
      maxPerAccount: 2,
      maxPerIp: 100,
      windowMs: 60_000,
      now: () => now,
    });
    throttle.recordFailure('a@x', '1.1.1.1');
    expect(throttle.retryAfter('a@x', '1.1.1.1')).toBe(0);
    throttle.recordFailure('a@x', '1.1.1.1');
    expect(throttle.retryAfter('a@x', '9.9.9.9')).toBe(60);
    now += 30_000;
    expect(throttle.retryAfter('a@x', '9.9.9.9')).toBe(30);
    now += 30_001;
    expect(throttle.retryAfter('a@x', '9.9.9.9')).toBe(0);
  });
  it('keeps at most maxEntries counters', () => {
    const throttle = createLoginThrottle({ maxPerAccount: 1, maxPerIp: 100, maxEntries: 3 });
    for (const e of ['a', 'b', 'c', 'd']) throttle.recordFailure(e, '1.1.1.1');
    expect(throttle.retryAfter('d', '2.2.2.2')).toBeGreaterThan(0);
  });
});

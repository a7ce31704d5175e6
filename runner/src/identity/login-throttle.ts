/** Failure counting for login: per account (email) and per client IP, with lockouts. */
export interface ThrottleOptions {
  /** Failures allowed for one email within the window before it is locked. Default 5. */
  maxPerAccount?: number;
  /** Failures allowed from one IP within the window (many emails = credential stuffing). Default 30. */
  maxPerIp?: number;
  /** Counting window and lock duration, ms. Default 15 minutes. */
  windowMs?: number;
  /** Entries kept at most (oldest dropped), so a flood of emails cannot exhaust memory. */
  maxEntries?: number;
  now?: () => number;
}

interface Counter {
  failures: number;
  windowStart: number;
  lockedUntil: number;
}

export interface LoginThrottle {
  /** Seconds to wait when locked, else 0. */
  retryAfter(email: string, ip: string): number;
  recordFailure(email: string, ip: string): void;
  recordSuccess(email: string): void;
}

/**
 * In-process counters (each API process counts on its own: with N processes behind a balancer
 * an attacker gets at most N times the budget — documented in docs/security.md).
 */
export function createLoginThrottle(options: ThrottleOptions = {}): LoginThrottle {
  const maxPerAccount = options.maxPerAccount ?? 5;
  const maxPerIp = options.maxPerIp ?? 30;
  const windowMs = options.windowMs ?? 15 * 60_000;
  const maxEntries = options.maxEntries ?? 100_000;
  const now = options.now ?? Date.now;
  const counters = new Map<string, Counter>();

  const wait = (key: string) => {
    const c = counters.get(key);
    return c && c.lockedUntil > now() ? Math.ceil((c.lockedUntil - now()) / 1000) : 0;
  };
  const fail = (key: string, max: number) => {
    const t = now();
    let c = counters.get(key);
    if (!c || t - c.windowStart >= windowMs) {
      c = { failures: 0, windowStart: t, lockedUntil: 0 };
      counters.delete(key);
      if (counters.size >= maxEntries) counters.delete(counters.keys().next().value!);
      counters.set(key, c);
    }
    c.failures += 1;
    if (c.failures >= max) c.lockedUntil = t + windowMs;
  };
  return {
    retryAfter: (email, ip) => Math.max(wait(`a:${email}`), wait(`i:${ip}`)),
    recordFailure(email, ip) {
      fail(`a:${email}`, maxPerAccount);
      fail(`i:${ip}`, maxPerIp);
    },
    recordSuccess(email) {
      counters.delete(`a:${email}`);
    },
  };
}

import type { MikroORM } from '@mikro-orm/postgresql';

/** Failure counting for login: per account (email) and per client IP, with lockouts. */
export interface ThrottleOptions {
  /** Failures allowed for one email within the window before it is locked. Default 5. */
  maxPerAccount?: number;
  /** Failures allowed from one IP within the window (many emails = credential stuffing). Default 30. */
  maxPerIp?: number;
  /** Counting window and lock duration, ms. Default 15 minutes. */
  windowMs?: number;
  now?: () => number;
}

export interface LoginThrottle {
  /** Seconds to wait when the email or the IP is locked, else 0. */
  retryAfter(email: string, ip: string): Promise<number>;
  recordFailure(email: string, ip: string): Promise<void>;
  recordSuccess(email: string): Promise<void>;
}

// One statement per key: a new window starts when the old one has passed; the lock is set when
// the count reaches the limit. Atomic under concurrency (ON CONFLICT takes the row lock).
const FAIL = `
insert into login_failures as f (key, failures, window_start, locked_until)
values (?, 1, ?, case when 1 >= ? then ?::timestamptz else null end)
on conflict (key) do update set
  failures = case when f.window_start <= ? then 1 else f.failures + 1 end,
  window_start = case when f.window_start <= ? then excluded.window_start else f.window_start end,
  locked_until = case
    when (case when f.window_start <= ? then 1 else f.failures + 1 end) >= ? then ?::timestamptz
    else f.locked_until end`;

/**
 * Counters in PostgreSQL (`login_failures`), so every API process shares the same budget.
 * Rows whose window and lock have passed are pruned now and then.
 */
export function createLoginThrottle(orm: MikroORM, options: ThrottleOptions = {}): LoginThrottle {
  const maxPerAccount = options.maxPerAccount ?? 5;
  const maxPerIp = options.maxPerIp ?? 30;
  const windowMs = options.windowMs ?? 15 * 60_000;
  const now = options.now ?? Date.now;
  const sql = (query: string, params: unknown[]) =>
    orm.em.fork().getConnection().execute(query, params);
  let failuresSincePrune = 0;

  const fail = (key: string, max: number) => {
    const t = now();
    const at = new Date(t);
    const cut = new Date(t - windowMs);
    const until = new Date(t + windowMs);
    return sql(FAIL, [key, at, max, until, cut, cut, cut, max, until]);
  };
  return {
    async retryAfter(email, ip) {
      const at = new Date(now());
      const [row] = await sql(
        'select max(locked_until) as until from login_failures where key in (?, ?) and locked_until > ?',
        [`a:${email}`, `i:${ip}`, at],
      );
      const until = row?.until ? new Date(row.until as string).getTime() : 0;
      return until > at.getTime() ? Math.ceil((until - at.getTime()) / 1000) : 0;
    },
    async recordFailure(email, ip) {
      await fail(`a:${email}`, maxPerAccount);
      await fail(`i:${ip}`, maxPerIp);
      if (++failuresSincePrune >= 500) {
        failuresSincePrune = 0;
        const at = new Date(now());
        await sql(
          'delete from login_failures where window_start <= ? and (locked_until is null or locked_until <= ?)',
          [new Date(at.getTime() - windowMs), at],
        );
      }
    },
    async recordSuccess(email) {
      await sql('delete from login_failures where key = ?', [`a:${email}`]);
    },
  };
}

/** The calendar month (UTC) a moment falls in: quotas count executions per such month. */
export interface MonthWindow {
  /** `YYYY-MM`. */
  month: string;
  /** First instant of the month (UTC), also the `execution_usage.month` date. */
  start: Date;
  /** First instant of the next month: when the quota starts over. */
  next: Date;
}

/**
 * @example monthWindow(new Date('2026-12-31T23:59:59Z')).next // 2027-01-01T00:00:00.000Z
 */
export function monthWindow(now: Date): MonthWindow {
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth();
  const start = new Date(Date.UTC(year, month, 1));
  const next = new Date(Date.UTC(year, month + 1, 1));
  return { month: start.toISOString().slice(0, 7), start, next };
}

/** Whole seconds from `now` until the next month starts (at least 1), for Retry-After. */
export function secondsUntilNextMonth(now: Date): number {
  return Math.max(1, Math.ceil((monthWindow(now).next.getTime() - now.getTime()) / 1000));
}

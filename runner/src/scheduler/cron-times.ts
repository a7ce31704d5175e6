import { CronExpressionParser } from 'cron-parser';

/** The first due time strictly after `after`, in the cron's time zone. */
export function nextDueAfter(cron: string, timezone: string, after: Date): Date {
  return CronExpressionParser.parse(cron, { currentDate: after, tz: timezone }).next().toDate();
}

/** The latest due time at or before `at` (cron-parser's prev() excludes the current instant, hence +1 ms). */
export function latestDueAtOrBefore(cron: string, timezone: string, at: Date): Date {
  return CronExpressionParser.parse(cron, { currentDate: new Date(at.getTime() + 1), tz: timezone })
    .prev()
    .toDate();
}

export interface DuePlan {
  /** The one due time to fire now, if any. */
  fire?: Date;
  /** Due times passed over by the missed-run policy (counted for the log). */
  skipped: number;
  /** What next_due_at becomes. */
  next: Date;
}

/**
 * Missed-run policy (docs/decisions/0005): when the scheduler was down across
 * several due times, fire only the most recent one, once, and skip the older
 * ones; then wait for the first due time after now.
 */
export function planDue(
  cron: string,
  timezone: string,
  nextDueAt: Date,
  now: Date,
  maxCount = 10_000,
): DuePlan {
  const next = nextDueAfter(cron, timezone, now);
  if (nextDueAt.getTime() > now.getTime()) return { skipped: 0, next: nextDueAt };
  const fire = latestDueAtOrBefore(cron, timezone, now);
  if (fire.getTime() < nextDueAt.getTime()) return { skipped: 0, next };
  let skipped = 0;
  const walker = CronExpressionParser.parse(cron, {
    currentDate: new Date(nextDueAt.getTime() - 1),
    tz: timezone,
  });
  while (skipped < maxCount && walker.next().toDate().getTime() < fire.getTime()) skipped++;
  return { fire, skipped, next };
}

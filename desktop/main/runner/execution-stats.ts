import type { ExecutionStats } from '../../../shared/src/contracts/runner-api';

const HOUR_MS = 60 * 60 * 1000;
/** The windows the executions overview counts over (the renderer names them). */
export const STATS_WINDOWS = {
  '1h': { ms: HOUR_MS },
  '24h': { ms: 24 * HOUR_MS },
  '7d': { ms: 7 * 24 * HOUR_MS },
} as const;
export type StatsWindow = keyof typeof STATS_WINDOWS;
export const STATS_WINDOW_KEYS = Object.keys(STATS_WINDOWS) as [StatsWindow, ...StatsWindow[]];

export interface ExecutionRates {
  /** Runs that ended (succeeded, failed or were canceled): what the rates are out of. */
  ended: number;
  /** Shares of `ended`, 0–1; null while nothing has ended in the window. */
  successRate: number | null;
  failureRate: number | null;
}

/**
 * Success and failure rates of the runs that ended; pending and running ones have no
 * outcome yet and would only dilute both.
 */
export function ratesOf(byStatus: ExecutionStats['byStatus']): ExecutionRates {
  const ended = byStatus.success + byStatus.failed + byStatus.canceled;
  return {
    ended,
    successRate: ended === 0 ? null : byStatus.success / ended,
    failureRate: ended === 0 ? null : byStatus.failed / ended,
  };
}

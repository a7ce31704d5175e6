/** How long an event is retried before its delivery is marked failed. */
export const GIVE_UP_AFTER_MS = 24 * 3_600_000;
/** A subscription whose deliveries have failed without a success for this long is disabled. */
export const DISABLE_AFTER_MS = 5 * 24 * 3_600_000;

const BASE_MS = 5_000;
const MAX_DELAY_MS = 3_600_000;

/** What one attempt's answer means for the delivery. */
export type AttemptVerdict = 'delivered' | 'retry' | 'reject';

/**
 * 2xx delivered; 408, 429 and 5xx retried; any other status is the receiver refusing this event
 * (retrying would not change its mind). Network errors and timeouts (`status` undefined) retry.
 */
export function verdictOf(status: number | undefined): AttemptVerdict {
  if (status === undefined) return 'retry';
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 408 || status === 429 || status >= 500) return 'retry';
  return 'reject';
}

/**
 * The delay before attempt `attempts + 1`: 5 s doubling up to an hour, with full jitter on the
 * upper half (so receivers coming back from an outage are not hit by every runner at once);
 * never shorter than a `Retry-After` the receiver sent (capped at the hour).
 * @param random in [0, 1), injected by tests
 */
export function retryDelayMs(
  attempts: number,
  retryAfterSeconds?: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(MAX_DELAY_MS, BASE_MS * 2 ** Math.max(0, attempts - 1));
  const delay = ceiling / 2 + random() * (ceiling / 2);
  const asked =
    retryAfterSeconds !== undefined ? Math.min(retryAfterSeconds * 1_000, MAX_DELAY_MS) : 0;
  return Math.round(Math.max(delay, asked));
}

/** `Retry-After` in seconds (RFC 9110 §10.2.3: delay-seconds or an HTTP date), when usable. */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, (at - now.getTime()) / 1_000);
}

import type { MikroORM } from '@mikro-orm/postgresql';
import type { HttpClient } from '../../../shared/src/engine/host';
import { eventSubscriptionSecretContext } from '../crypto/contexts';
import type { SecretBox } from '../crypto/secret-box';
import { withSystemContext } from '../db/org-context';
import type { Log } from '../worker/logger';
import {
  DISABLE_AFTER_MS,
  GIVE_UP_AFTER_MS,
  parseRetryAfter,
  retryDelayMs,
  verdictOf,
  type AttemptVerdict,
} from './retry-policy';
import { signedHeaders } from './signing';
import { markSubscriptionHealthy, recordSubscriptionFailure } from './subscription-health';

export interface DispatchTiming {
  /** One attempt's deadline (connect, send, answer). */
  timeoutMs: number;
  /** A taken delivery is not taken again for this long (a dispatcher that died mid-attempt). */
  leaseMs: number;
  giveUpAfterMs: number;
  disableAfterMs: number;
  /** Delay before the next attempt, after `attempts` attempts (retry-policy.ts). */
  retryDelay: (attempts: number, retryAfterSeconds?: number) => number;
}

export const DEFAULT_DISPATCH_TIMING: DispatchTiming = {
  timeoutMs: 10_000,
  leaseMs: 60_000,
  giveUpAfterMs: GIVE_UP_AFTER_MS,
  disableAfterMs: DISABLE_AFTER_MS,
  retryDelay: (attempts, retryAfter) => retryDelayMs(attempts, retryAfter),
};

export interface DispatcherDeps {
  orm: MikroORM;
  box: SecretBox;
  /** SSRF-guarded clients (worker/guarded-http-client.ts): strict, and open for organizations that allow private networks. */
  http: { strict: HttpClient; open: HttpClient };
  log: Log;
  timing?: Partial<DispatchTiming>;
}

export interface DispatchResult {
  taken: number;
  delivered: number;
  retrying: number;
  failed: number;
}

interface TakenDelivery {
  id: string;
  organization_id: string;
  subscription_id: string;
  event_id: string;
  event_type: string;
  data: Record<string, unknown>;
  event_created_at: Date | string;
  created_at: Date | string;
  attempts: number;
  url: string;
  secret_enc: string;
  allow_private_network: boolean;
}

interface Attempt {
  verdict: AttemptVerdict;
  status?: number;
  error?: string;
  retryAfterSeconds?: number;
}

const MAX_ERROR = 300;

/**
 * One pass of the event dispatcher (decision 0019): takes up to `batch` due deliveries of
 * enabled subscriptions — by moving their next attempt a lease ahead in one short transaction
 * with `for update skip locked`, so several schedulers never send the same delivery at once —
 * then POSTs each signed event (outside any transaction) and records the outcome.
 */
export async function dispatchDueEvents(
  deps: DispatcherDeps,
  now: Date = new Date(),
  batch = 20,
): Promise<DispatchResult> {
  const timing = { ...DEFAULT_DISPATCH_TIMING, ...deps.timing };
  const taken = await withSystemContext(deps.orm, (em) =>
    em.execute<TakenDelivery[]>(
      `with due as (
         select d.id from event_deliveries d join event_subscriptions s on s.id = d.subscription_id
          where d.status = 'pending' and d.next_attempt_at <= ? and s.enabled
          order by d.next_attempt_at limit ? for update of d skip locked)
       update event_deliveries d
          set next_attempt_at = ?, attempts = d.attempts + 1, last_attempt_at = ?
         from due, event_subscriptions s, organizations o
        where d.id = due.id and s.id = d.subscription_id and o.id = d.organization_id
       returning d.id, d.organization_id, d.subscription_id, d.event_id, d.event_type, d.data,
                 d.event_created_at, d.created_at, d.attempts, s.url, s.secret_enc, o.allow_private_network`,
      [now, batch, new Date(now.getTime() + timing.leaseMs), now],
    ),
  );
  const result: DispatchResult = { taken: taken.length, delivered: 0, retrying: 0, failed: 0 };
  await Promise.all(
    taken.map(async (delivery) => {
      const attempt = await attemptDelivery(deps, timing, delivery, now);
      const outcome = await recordAttempt(deps, timing, delivery, attempt, now);
      result[outcome]++;
    }),
  );
  return result;
}

async function attemptDelivery(
  deps: DispatcherDeps,
  timing: DispatchTiming,
  delivery: TakenDelivery,
  now: Date,
): Promise<Attempt> {
  let secret: string;
  try {
    secret = deps.box.open(
      delivery.secret_enc,
      eventSubscriptionSecretContext(delivery.subscription_id),
    );
  } catch {
    return { verdict: 'retry', error: 'the signing secret cannot be decrypted (key missing?)' };
  }
  const body = JSON.stringify({
    id: delivery.event_id,
    type: delivery.event_type,
    createdAt: new Date(delivery.event_created_at).toISOString(),
    data: delivery.data,
  });
  const http = delivery.allow_private_network ? deps.http.open : deps.http.strict;
  try {
    const response = await http.request({
      method: 'POST',
      url: delivery.url,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Maestro-Webhooks/1',
        ...signedHeaders(secret, delivery.event_id, body, now),
      },
      body,
      signal: AbortSignal.timeout(timing.timeoutMs),
    });
    return {
      verdict: verdictOf(response.status),
      status: response.status,
      retryAfterSeconds: parseRetryAfter(response.headers['retry-after'], now),
    };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const message = error instanceof Error ? error.message : String(error);
    // The SSRF guard refused the address: no retry will change that.
    return { verdict: code === 'BLOCKED_ADDRESS' ? 'reject' : 'retry', error: message };
  }
}

async function recordAttempt(
  deps: DispatcherDeps,
  timing: DispatchTiming,
  delivery: TakenDelivery,
  attempt: Attempt,
  now: Date,
): Promise<'delivered' | 'retrying' | 'failed'> {
  const error = attempt.error?.slice(0, MAX_ERROR) ?? null;
  const status = attempt.status ?? null;
  const where = { deliveryId: delivery.id, subscriptionId: delivery.subscription_id };
  return withSystemContext(deps.orm, async (em) => {
    if (attempt.verdict === 'delivered') {
      await em.execute(
        `update event_deliveries set status = 'delivered', delivered_at = ?, next_attempt_at = null,
                last_status_code = ?, last_error = null where id = ?`,
        [now, status, delivery.id],
      );
      await markSubscriptionHealthy(em, delivery.subscription_id);
      return 'delivered';
    }
    const next = new Date(
      now.getTime() + timing.retryDelay(delivery.attempts, attempt.retryAfterSeconds),
    );
    const expired = next.getTime() - new Date(delivery.created_at).getTime() > timing.giveUpAfterMs;
    const failed = attempt.verdict === 'reject' || expired;
    await em.execute(
      `update event_deliveries set status = ?, next_attempt_at = ?, last_status_code = ?, last_error = ?
        where id = ?`,
      [failed ? 'failed' : 'pending', failed ? null : next, status, error, delivery.id],
    );
    deps.log.warn(
      { ...where, status, error, attempts: delivery.attempts, gaveUp: failed },
      'event webhook delivery failed',
    );
    const disabled = await recordSubscriptionFailure(
      em,
      delivery.subscription_id,
      now,
      timing.disableAfterMs,
    );
    if (disabled) deps.log.warn(where, 'event subscription disabled after failing for too long');
    return failed ? 'failed' : 'retrying';
  });
}

/** Drops finished deliveries older than `retentionDays` (the scheduler's daily prune). */
export async function pruneEventDeliveries(orm: MikroORM, retentionDays: number): Promise<number> {
  const rows = await withSystemContext(orm, (em) =>
    em.execute<{ id: string }[]>(
      `delete from event_deliveries where status <> 'pending'
          and created_at < now() - make_interval(days => ?) returning id`,
      [retentionDays],
    ),
  );
  return rows.length;
}

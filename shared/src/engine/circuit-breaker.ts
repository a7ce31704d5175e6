import type { Clock, HostCircuit } from './host';
import { StepError } from './step-error';
import { createSystemClock } from './system-clock';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit for a host (default 5). */
  failureThreshold?: number;
  /** How long an open circuit fails fast before one trial call (default 30000). */
  coolDownMs?: number;
  clock?: Clock;
}

type HostState =
  | { state: 'closed'; failures: number }
  | { state: 'open'; openedAt: number }
  | { state: 'half-open'; trialStartedAt: number };

/**
 * A circuit breaker per target host: closed → open after N consecutive
 * failures (calls fail fast with CIRCUIT_OPEN) → half-open after the
 * cool-down (one trial call) → closed on success, open again on failure.
 * @example const circuit = createCircuitBreaker({ failureThreshold: 3, coolDownMs: 10_000 });
 */
export function createCircuitBreaker(options: CircuitBreakerOptions = {}): HostCircuit {
  const threshold = options.failureThreshold ?? 5;
  const coolDownMs = options.coolDownMs ?? 30_000;
  const clock = options.clock ?? createSystemClock();
  const hosts = new Map<string, HostState>();

  const failFast = (host: string, retryAt: number): never => {
    throw new StepError(
      'CIRCUIT_OPEN',
      `calls to ${host} fail fast after ${threshold} consecutive failures; next trial at ${new Date(retryAt).toISOString()}`,
      { retryable: false },
    );
  };

  return {
    beforeCall(host) {
      const state = hosts.get(host);
      const now = clock.now();
      if (state?.state === 'open') {
        if (now < state.openedAt + coolDownMs) failFast(host, state.openedAt + coolDownMs);
        hosts.set(host, { state: 'half-open', trialStartedAt: now });
      } else if (state?.state === 'half-open') {
        // A trial that never reported (its run was cancelled) must not keep the host closed off forever.
        if (now < state.trialStartedAt + coolDownMs)
          failFast(host, state.trialStartedAt + coolDownMs);
        hosts.set(host, { state: 'half-open', trialStartedAt: now });
      }
    },
    onSuccess(host) {
      hosts.delete(host);
    },
    onFailure(host) {
      const state = hosts.get(host) ?? { state: 'closed', failures: 0 };
      const now = clock.now();
      if (state.state === 'half-open') hosts.set(host, { state: 'open', openedAt: now });
      else if (state.state === 'closed') {
        const failures = state.failures + 1;
        hosts.set(
          host,
          failures >= threshold ? { state: 'open', openedAt: now } : { state: 'closed', failures },
        );
      }
    },
  };
}

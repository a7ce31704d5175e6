import { createCircuitBreaker } from '../engine/circuit-breaker';
import type { CodeSandbox, StepHost } from '../engine/host';
import { StepError } from '../engine/step-error';
import { createSystemClock } from '../engine/system-clock';
import { createFetchHttpClient } from '../host/fetch-http-client';
import { createStaticSecretResolver } from '../host/static-secret-resolver';

/** A sandbox for runs that hold no code.js step: using it is a test bug. */
const noSandbox: CodeSandbox = {
  run: () =>
    Promise.reject(
      new StepError('INTERNAL', 'this test host has no code sandbox', { retryable: false }),
    ),
};

/**
 * A StepHost of real parts (fetch, system clock, a fresh circuit breaker) for
 * tests of the engine; override any part.
 * @example const host = createTestHost({ sandbox: mySandbox });
 */
export function createTestHost(overrides: Partial<StepHost> = {}): StepHost {
  const clock = overrides.clock ?? createSystemClock();
  return {
    http: createFetchHttpClient(),
    sandbox: noSandbox,
    secrets: createStaticSecretResolver(),
    circuit: createCircuitBreaker({ clock }),
    ...overrides,
    clock,
  };
}

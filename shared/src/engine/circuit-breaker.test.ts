import { describe, expect, it } from 'vitest';
import { createCircuitBreaker } from './circuit-breaker';
import { StepError } from './step-error';
import { createSystemClock } from './system-clock';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const failFast = (call: () => void): StepError | undefined => {
  try {
    call();
    return undefined;
  } catch (error) {
    return error as StepError;
  }
};

describe('createCircuitBreaker', () => {
  it('opens after N consecutive failures, per host, and fails fast with CIRCUIT_OPEN', () => {
    const circuit = createCircuitBreaker({
      failureThreshold: 3,
      coolDownMs: 60_000,
      clock: createSystemClock(),
    });
    for (let i = 0; i < 2; i++) {
      circuit.beforeCall('api.example.com');
      circuit.onFailure('api.example.com');
    }
    expect(failFast(() => circuit.beforeCall('api.example.com'))).toBeUndefined();
    circuit.onFailure('api.example.com');
    const error = failFast(() => circuit.beforeCall('api.example.com'));
    expect(error).toBeInstanceOf(StepError);
    expect(error?.code).toBe('CIRCUIT_OPEN');
    expect(error?.retryable).toBe(false);
    expect(error?.message).toMatch(
      /^calls to api\.example\.com fail fast after 3 consecutive failures; next trial at \d{4}-\d\d-\d\dT/,
    );
    expect(failFast(() => circuit.beforeCall('other.example.com'))).toBeUndefined();
  });

  it('counts consecutive failures only: a success resets the count', () => {
    const circuit = createCircuitBreaker({ failureThreshold: 2 });
    circuit.onFailure('h');
    circuit.onSuccess('h');
    circuit.onFailure('h');
    expect(failFast(() => circuit.beforeCall('h'))).toBeUndefined();
  });

  it('lets one trial call through after the cool-down (half-open) and closes on its success', async () => {
    const circuit = createCircuitBreaker({ failureThreshold: 1, coolDownMs: 80 });
    circuit.onFailure('h');
    expect(failFast(() => circuit.beforeCall('h'))?.code).toBe('CIRCUIT_OPEN');
    await sleep(100);
    expect(failFast(() => circuit.beforeCall('h'))).toBeUndefined();
    expect(failFast(() => circuit.beforeCall('h'))?.code).toBe('CIRCUIT_OPEN');
    circuit.onSuccess('h');
    expect(failFast(() => circuit.beforeCall('h'))).toBeUndefined();
    expect(failFast(() => circuit.beforeCall('h'))).toBeUndefined();
  });

  it('opens again when the trial call fails', async () => {
    const circuit = createCircuitBreaker({ failureThreshold: 1, coolDownMs: 80 });
    circuit.onFailure('h');
    await sleep(100);
    circuit.beforeCall('h');
    circuit.onFailure('h');
    expect(failFast(() => circuit.beforeCall('h'))?.code).toBe('CIRCUIT_OPEN');
    await sleep(100);
    expect(failFast(() => circuit.beforeCall('h'))).toBeUndefined();
  });

  it('allows a new trial when the previous one never reported (its run was cancelled)', async () => {
    const circuit = createCircuitBreaker({ failureThreshold: 1, coolDownMs: 60 });
    circuit.onFailure('h');
    await sleep(80);
    circuit.beforeCall('h');
    expect(failFast(() => circuit.beforeCall('h'))?.code).toBe('CIRCUIT_OPEN');
    await sleep(80);
    expect(failFast(() => circuit.beforeCall('h'))).toBeUndefined();
  });
});

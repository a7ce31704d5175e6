import type {
  CodeSandbox,
  HostCircuit,
  SecretResolver,
  StepHost,
} from '../../../shared/src/engine/host';
import { createSystemClock } from '../../../shared/src/engine/system-clock';
import { createAddressPolicy } from './address-policy';
import { createGuardedHttpClient, type GuardedHttpClient } from './guarded-http-client';
import { withIdempotencyKeys } from './idempotency-key';

/** What the worker process owns once and shares between runs. */
export interface WorkerHostDeps {
  sandbox: CodeSandbox;
  /** One per process: a host's failures must outlive a single run. */
  circuit: HostCircuit;
  /** CIDR ranges every organization may reach (operator setting; empty by default). */
  allowedRanges?: string[];
}

export interface WorkerHostFactory {
  /** The StepHost for one run of one organization. */
  forRun(options: { allowPrivateNetwork: boolean; secrets: SecretResolver }): StepHost;
  close(): Promise<void>;
}

/**
 * Builds the runner's StepHost: the SSRF-guarded HTTP client (strict unless
 * the organization allows private networks; each step's unsafe requests carry
 * an Idempotency-Key stable across re-runs), the QuickJS sandbox, the
 * organization's secret resolver, the real clock and the process circuit.
 */
export function createWorkerHostFactory(deps: WorkerHostDeps): WorkerHostFactory {
  const clock = createSystemClock();
  const strict: GuardedHttpClient = createGuardedHttpClient({
    policy: createAddressPolicy({ allowedRanges: deps.allowedRanges }),
  });
  const open: GuardedHttpClient = createGuardedHttpClient({
    policy: createAddressPolicy({ allowPrivateNetwork: true }),
  });
  const strictHttp = withIdempotencyKeys(strict);
  const openHttp = withIdempotencyKeys(open);
  return {
    forRun: ({ allowPrivateNetwork, secrets }) => ({
      http: allowPrivateNetwork ? openHttp : strictHttp,
      sandbox: deps.sandbox,
      secrets,
      clock,
      circuit: deps.circuit,
    }),
    async close() {
      await Promise.all([strict.close(), open.close()]);
    },
  };
}

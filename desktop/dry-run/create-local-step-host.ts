import {
  createCircuitBreaker,
  createFetchHttpClient,
  createSystemClock,
  StepError,
} from '../../shared/src/index';
import type {
  CodeSandbox,
  HostCircuit,
  HttpClient,
  SecretResolver,
  StepHost,
} from '../../shared/src/index';

export interface LocalStepHostDeps {
  /**
   * Resolves `auth: { connection }`. The desktop passes its keychain-backed
   * resolver; the CLI has none, so a connection reference fails the step.
   */
  secrets?: SecretResolver;
  /** Defaults to fetch; a dry-run may call localhost and private addresses (no SSRF guard). */
  http?: HttpClient;
}

/**
 * The StepHost of a local dry-run (the `maestro` CLI and the desktop app):
 * fetch that may reach localhost, the QuickJS sandbox, the system clock and
 * one circuit breaker for the whole process, so that a failing host stays
 * "open" across runs as it does on the runner.
 * @example const host = createLocalStepHost(); await runWorkflow(prepared, { input, executionId, host });
 */
export function createLocalStepHost(deps: LocalStepHostDeps = {}): StepHost {
  const clock = createSystemClock();
  return {
    http: deps.http ?? createFetchHttpClient(),
    sandbox: processSandbox,
    secrets: deps.secrets ?? noConnections,
    clock,
    circuit: processCircuit(),
  };
}

/** The CLI has no credentials store: say so instead of sending an unauthenticated request. */
export const noConnections: SecretResolver = {
  resolveConnection(connectionId) {
    return Promise.reject(
      new StepError(
        'VALIDATION',
        `connection "${connectionId}" is not available here: the maestro CLI has no stored connections ` +
          '(dry-run this workflow from the desktop app, or pass the credential with --secret KEY=VALUE and use {{ env.KEY }} in a header)',
        { retryable: false },
      ),
    );
  },
};

let circuit: HostCircuit | undefined;
function processCircuit(): HostCircuit {
  circuit ??= createCircuitBreaker({ clock: createSystemClock() });
  return circuit;
}

/**
 * QuickJS is imported and compiled on the first `code.js` step only: most runs
 * have none, and loading the WebAssembly module costs more than the rest of a
 * CLI start.
 */
let sandbox: Promise<CodeSandbox> | undefined;
const processSandbox: CodeSandbox = {
  async run(...args: Parameters<CodeSandbox['run']>) {
    const loading = (sandbox ??= loadSandbox().catch((error: unknown) => {
      sandbox = undefined; // let a later step try again rather than fail forever
      throw error;
    }));
    return (await loading).run(...args);
  },
};

async function loadSandbox(): Promise<CodeSandbox> {
  const { createQuickJsSandbox } = await import('../../shared/src/sandbox/index');
  return createQuickJsSandbox();
}

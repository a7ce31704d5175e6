/**
 * What the engine needs from the process that hosts it. The desktop dry-run,
 * the CLI and the runner worker each build one (createStepHost-style
 * factories in their own trees); tests pass small real ones. Nothing here may
 * import Node, Electron or a database: the engine stays pure.
 */

export interface HttpRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** Aborted on attempt timeout, run timeout or cancellation. */
  signal: AbortSignal;
  /**
   * The step sending it (`action.http`), the same on every attempt and every
   * re-run of that step: the runner derives an Idempotency-Key from it.
   */
  origin?: HttpRequestOrigin;
}

export interface HttpRequestOrigin {
  executionId: string;
  stepId: string;
  /** The forEach element's position, inside a forEach step. */
  index?: number;
}

export interface HttpResponse {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  /** The raw body text; the engine parses JSON itself. */
  body: string;
}

/**
 * Sends one HTTP request. Network-level failures throw a StepError with code
 * NETWORK (or BLOCKED_ADDRESS from an SSRF guard); any HTTP status resolves.
 */
export interface HttpClient {
  request(request: HttpRequest): Promise<HttpResponse>;
}

export interface SandboxLimits {
  /** CPU time for one call, default 1000 ms. */
  cpuMs: number;
  /** Memory for one call, default 64 MiB. */
  memoryBytes: number;
}

/** What a `code.js` call may report while it runs (optional). */
export interface SandboxHooks {
  /** One `console.*` line from the code: log/info → info, debug, warn, error. */
  onLog?(level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
}

/**
 * Runs the body of a `code.js` function with `input` and returns its
 * JSON-serialisable result. Throws StepError: CODE (thrown or bad result),
 * TIMEOUT (CPU limit), MEMORY (memory limit), CANCELED (signal).
 */
export interface CodeSandbox {
  run(
    code: string,
    input: unknown,
    limits: SandboxLimits,
    signal: AbortSignal,
    hooks?: SandboxHooks,
  ): Promise<unknown>;
}

/** What a connection adds to an `action.http` request, and which values to redact. */
export interface ResolvedConnection {
  headers?: Record<string, string>;
  query?: Record<string, string>;
  /** Every secret value in this connection: redacted from results, logs and errors. */
  secrets: string[];
}

export interface SecretResolver {
  /** Throws StepError VALIDATION when the connection does not exist. */
  resolveConnection(connectionId: string, signal: AbortSignal): Promise<ResolvedConnection>;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`, rejects with a CANCELED StepError when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  /**
   * Optional fast path for the engine's own timers (attempt and run
   * timeouts): calls `fn` after `ms` and returns a function that cancels it.
   * A listener on a fresh AbortSignal costs ~10 µs in Node 20, which `sleep`
   * would pay on every attempt.
   */
  setTimer?(ms: number, fn: () => void): () => void;
}

/**
 * Fails calls fast to a host that keeps failing. Owned by the host process
 * (one per process, shared by all runs) so that its state outlives a run.
 */
export interface HostCircuit {
  /** Throws StepError CIRCUIT_OPEN when calls to `host` must fail fast. */
  beforeCall(host: string): void;
  onSuccess(host: string): void;
  onFailure(host: string): void;
}

export interface StepHost {
  http: HttpClient;
  sandbox: CodeSandbox;
  secrets: SecretResolver;
  clock: Clock;
  circuit: HostCircuit;
}

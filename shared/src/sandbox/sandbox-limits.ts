import type { SandboxLimits } from '../engine/host';
import { StepError } from '../engine/step-error';

const MiB = 1024 * 1024;

/** workflow-v1.md `code.js`: 1000 ms of CPU, 64 MiB of memory. */
export const BUILTIN_SANDBOX_LIMITS: SandboxLimits = { cpuMs: 1000, memoryBytes: 64 * MiB };

/** Below this QuickJS cannot even build a context; above it one call could pin a large share of RAM. */
const MIN_MEMORY_BYTES = 1 * MiB;
const MAX_MEMORY_BYTES = 1024 * MiB;

/**
 * The largest result accepted, in characters of its JSON text (10 MiB). The
 * check runs inside the VM, so a huge result never crosses into the host.
 */
export const MAX_OUTPUT_CHARS = 10 * MiB;

/** console.* lines kept per call, and characters per line; more is cut with a notice. */
export const MAX_LOG_LINES = 1000;
export const MAX_LOG_LINE_CHARS = 10_000;

/**
 * Native stack QuickJS may use before it throws "stack overflow". WebAssembly
 * frames also use the host's own stack (V8 allows ~1 MB), so the limit sits
 * well below that: deep JS recursion fails inside the VM as a catchable error.
 * Some native paths (JSON.stringify of deep nesting) can still exhaust the host
 * stack first; the sandbox catches that RangeError too and drops the module.
 */
export const MAX_STACK_BYTES = 256 * 1024;

/** Per-call limits over the sandbox's defaults over the built-in ones; invalid values are a VALIDATION error. */
export function resolveLimits(
  defaults: Partial<SandboxLimits> | undefined,
  limits: Partial<SandboxLimits> | undefined,
): SandboxLimits {
  const cpuMs = limits?.cpuMs ?? defaults?.cpuMs ?? BUILTIN_SANDBOX_LIMITS.cpuMs;
  const memoryBytes =
    limits?.memoryBytes ?? defaults?.memoryBytes ?? BUILTIN_SANDBOX_LIMITS.memoryBytes;
  if (!Number.isFinite(cpuMs) || cpuMs <= 0) {
    throw new StepError(
      'VALIDATION',
      `code.js CPU limit must be a positive number of ms, got ${cpuMs}`,
      {
        retryable: false,
      },
    );
  }
  if (
    !Number.isFinite(memoryBytes) ||
    memoryBytes < MIN_MEMORY_BYTES ||
    memoryBytes > MAX_MEMORY_BYTES
  ) {
    throw new StepError(
      'VALIDATION',
      `code.js memory limit must be between ${MIN_MEMORY_BYTES} and ${MAX_MEMORY_BYTES} bytes, got ${memoryBytes}`,
      { retryable: false },
    );
  }
  return { cpuMs, memoryBytes: Math.floor(memoryBytes) };
}

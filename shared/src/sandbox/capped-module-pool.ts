import type { QuickJSWASMModule } from 'quickjs-emscripten-core';
import { newQuickJSWASMModuleFromVariant, newVariant } from 'quickjs-emscripten-core';
import releaseSyncVariant from '@jitl/quickjs-wasmfile-release-sync';
import { StepError } from '../engine/step-error';

const PAGE_BYTES = 64 * 1024;

/**
 * The fixed part of the module's linear memory: the build declares a 16 MiB
 * minimum (5 MB of C stack, static data, the start of the heap). A module's
 * memory may grow to this plus the call's memory limit, never further.
 */
export const MODULE_BASE_BYTES = 16 * 1024 * 1024;

/** Distinct memory limits kept warm at once; each module pins at most its cap of RAM. */
const MAX_WARM_MODULES = 4;

/** One QuickJS WebAssembly instance whose memory has a hard maximum. */
export interface CappedModule {
  readonly module: QuickJSWASMModule;
  readonly memory: WebAssembly.Memory;
  /** The call memory limit this module was built for. */
  readonly memoryBytes: number;
  /** Set once the module must not be used again (after MEMORY, a host-level failure, heavy growth). */
  retired: boolean;
}

/**
 * Why a pool: `runtime.setMemoryLimit` does not bound strings and typed arrays
 * in quickjs-emscripten 0.32 (issues #255, #271), so the only hard cap is the
 * WebAssembly memory itself, whose maximum is fixed when the module is
 * instantiated. Hence one module per memory limit, kept for reuse (a runtime
 * and context per call keep calls apart), replaced when a call retires it.
 */
export class CappedModulePool {
  private readonly warm = new Map<number, Promise<CappedModule>>();

  /** A live module for this memory limit, created on first use. */
  async acquire(memoryBytes: number): Promise<CappedModule> {
    for (;;) {
      const capped = await this.entry(memoryBytes);
      if (!capped.retired) return capped;
    }
  }

  /** Stops reusing a module; a replacement is created at once so the next call does not wait. */
  retire(capped: CappedModule): void {
    capped.retired = true;
    this.warm.delete(capped.memoryBytes);
    this.entry(capped.memoryBytes).catch(() => {
      // The next acquire() creates it again and reports the failure to its caller.
    });
  }

  private entry(memoryBytes: number): Promise<CappedModule> {
    let pending = this.warm.get(memoryBytes);
    if (pending) {
      this.warm.delete(memoryBytes); // re-inserted below: Map order is the LRU order
    } else {
      pending = createCappedModule(memoryBytes);
      pending.catch(() => this.warm.get(memoryBytes) === pending && this.warm.delete(memoryBytes));
    }
    this.warm.set(memoryBytes, pending);
    for (const key of this.warm.keys()) {
      if (this.warm.size <= MAX_WARM_MODULES) break;
      this.warm.delete(key); // dropped, not disposed: a call already holding it finishes first
    }
    return pending;
  }
}

/**
 * Whether the module's memory grew past half its cap. WebAssembly memory never
 * shrinks, so such a module is replaced to give the RAM back; and a `null`
 * exception from such a call is QuickJS failing to allocate the error itself.
 */
export function hasGrownHeavily(capped: CappedModule): boolean {
  return capped.memory.buffer.byteLength > MODULE_BASE_BYTES + capped.memoryBytes / 2;
}

async function createCappedModule(memoryBytes: number): Promise<CappedModule> {
  const memory = new WebAssembly.Memory({
    initial: MODULE_BASE_BYTES / PAGE_BYTES,
    maximum: Math.ceil((MODULE_BASE_BYTES + memoryBytes) / PAGE_BYTES),
  });
  try {
    const module = await newQuickJSWASMModuleFromVariant(
      newVariant(releaseSyncVariant, { wasmMemory: memory }),
    );
    return { module, memory, memoryBytes, retired: false };
  } catch (error) {
    throw new StepError(
      'INTERNAL',
      `could not load the QuickJS WebAssembly module: ${error instanceof Error ? error.message : String(error)}`,
      { retryable: false, cause: error },
    );
  }
}

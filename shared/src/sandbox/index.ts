/** The QuickJS code.js sandbox. @example const sandbox = await createQuickJsSandbox({ defaultLimits: { cpuMs: 500 } }) */
export { createQuickJsSandbox } from './quickjs-sandbox';
export type { QuickJsSandboxOptions } from './quickjs-sandbox';
export { BUILTIN_SANDBOX_LIMITS, MAX_OUTPUT_CHARS } from './sandbox-limits';

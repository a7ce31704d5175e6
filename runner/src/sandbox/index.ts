/** The runner's code.js sandbox: QuickJS in worker threads with a wall-clock deadline. */
export { createThreadedSandbox } from './threaded-sandbox';
export type { ThreadedSandbox, ThreadedSandboxOptions } from './threaded-sandbox';

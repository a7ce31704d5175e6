// Entry of a sandbox worker thread. Loader hooks registered by the parent (the runner's bin,
// vitest) do not reach a worker thread, so it registers tsx itself before loading TypeScript.
import { register } from 'tsx/esm/api';

register({ tsconfig: new URL('../../../tsconfig.node.json', import.meta.url).pathname });
await import('./sandbox-thread-main.ts');

// Test-only thread entry: the real sandbox thread, except that the code `__crash__` makes the
// thread exit mid-call, as a thread that dies for a reason the sandbox did not foresee would.
import { parentPort } from 'node:worker_threads';

parentPort.on('message', (call) => {
  if (call.code === '__crash__') process.exit(70);
});
await import('./thread-entry.mjs');

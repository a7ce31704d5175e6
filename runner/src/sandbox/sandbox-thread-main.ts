// Runs inside a worker thread: one QuickJS sandbox, one call at a time. The
// host enforces the wall-clock deadline by terminating this thread.
import { parentPort } from 'node:worker_threads';
import { createQuickJsSandbox } from '../../../shared/src/sandbox';
import type { CallMessage, ThreadMessage } from './sandbox-protocol';
import { serializeError } from './sandbox-protocol';

const port = parentPort;
if (!port) throw new Error('sandbox-thread-main must run in a worker thread');

const post = (message: ThreadMessage) => port.postMessage(message);
// Cancellation is the host's job (it terminates the thread): this signal never aborts.
const neverAborted = new AbortController().signal;
const sandbox = await createQuickJsSandbox();

port.on('message', (call: CallMessage) => {
  void runCall(call);
});
post({ type: 'ready' });

async function runCall(call: CallMessage): Promise<void> {
  const hooks = call.relayLogs
    ? {
        onLog: (level: 'debug' | 'info' | 'warn' | 'error', message: string) =>
          post({ type: 'log', id: call.id, level, message }),
      }
    : undefined;
  try {
    const value = await sandbox.run(
      call.code,
      JSON.parse(call.inputJson),
      call.limits,
      neverAborted,
      hooks,
    );
    post({ type: 'result', id: call.id, value });
  } catch (error) {
    post({ type: 'error', id: call.id, error: serializeError(error) });
  }
}

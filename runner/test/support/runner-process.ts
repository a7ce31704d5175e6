import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/maestro-runner.mjs', import.meta.url));

export interface RunnerProcess {
  child: ChildProcess;
  pid: number;
  /** Resolves once the process logged that it started (and, for the API, its port). */
  ready: Promise<{ port?: number }>;
  exited: Promise<number | null>;
  /** Recent output lines, for failure messages. */
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * A real `maestro-runner --role <role>` child process, as an operator runs it.
 * `env` adds to a test environment (NODE_ENV=test, no auto-migration).
 */
export function spawnRunner(
  role: 'api' | 'worker' | 'scheduler' | 'all',
  env: Record<string, string>,
  /** Node flags before the script (the bench profiles with `--cpu-prof`). */
  nodeArgs: string[] = [],
): RunnerProcess {
  const child = spawn(process.execPath, [...nodeArgs, BIN, '--role', role], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      MAESTRO_AUTO_MIGRATE: 'false',
      MAESTRO_LOG_LEVEL: 'info',
      MAESTRO_PORT: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let port: number | undefined;
  let resolveReady: (value: { port?: number }) => void = () => {};
  let rejectReady: (error: Error) => void = () => {};
  const ready = new Promise<{ port?: number }>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line) continue;
      lines.push(line);
      if (lines.length > 200) lines.shift();
      const listening = /listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(line);
      if (listening?.[1]) port = Number(listening[1]);
      if (line.includes('maestro runner started')) {
        const started = /"port":(\d+)/.exec(line);
        resolveReady({ port: started?.[1] ? Number(started[1]) : port });
      }
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      rejectReady(
        new Error(
          `runner ${role} exited (${code}) before it started:\n${lines.slice(-30).join('\n')}`,
        ),
      );
      resolve(code);
    });
  });
  return {
    child,
    pid: child.pid ?? -1,
    ready,
    exited,
    output: () => lines.join('\n'),
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

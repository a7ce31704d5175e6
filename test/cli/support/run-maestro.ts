import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root: commands run there, as a user would after `npm install`. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface MaestroOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface MaestroProcess {
  child: ChildProcess;
  /** Resolves once stderr holds text matching `pattern`. */
  stderrMatches(pattern: RegExp): Promise<void>;
  done: Promise<MaestroOutcome>;
}

/**
 * Starts the real `maestro` binary (`node build/bin/maestro.mjs …`, or any
 * command, e.g. `npx maestro …`) asynchronously: the HTTP server the workflow
 * calls lives in the test process and must keep answering meanwhile.
 */
export function startMaestro(
  args: string[],
  options: { command?: string[]; env?: NodeJS.ProcessEnv } = {},
): MaestroProcess {
  const [file, ...prefix] = options.command ?? [process.execPath, 'build/bin/maestro.mjs'];
  const child = spawn(file as string, [...prefix, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
    for (const waiter of waiters.filter((w) => w.pattern.test(stderr))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  });
  const done = new Promise<MaestroOutcome>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return {
    child,
    done,
    stderrMatches: (pattern) =>
      pattern.test(stderr)
        ? Promise.resolve()
        : new Promise((resolve) => waiters.push({ pattern, resolve })),
  };
}

/** Runs `maestro ARGS…` to completion. */
export function runMaestro(
  args: string[],
  options: { command?: string[]; env?: NodeJS.ProcessEnv } = {},
): Promise<MaestroOutcome> {
  return startMaestro(args, options).done;
}

/** True when the text holds a JavaScript stack trace line. */
export function hasStackTrace(text: string): boolean {
  return /\n\s+at .+(\(|:\d+)/.test(text);
}

import { assertNever } from '../../shared/src/index';
import type { EngineEvent } from '../../shared/src/index';
import { formatDuration } from './run-summary';
import type { TerminalStyle } from './terminal-style';

export interface ProgressOptions {
  write(line: string): void;
  /** Stream every line from the start (stderr is a TTY: someone is watching). */
  live: boolean;
  /** Otherwise start streaming once the run has lasted this long (default 1000 ms). */
  quietForMs?: number;
  style: TerminalStyle;
}

export interface RunProgress {
  onEvent(event: EngineEvent): void;
  /** Stops the delayed start; call when the run is over. */
  close(): void;
}

/**
 * Step started/retrying/finished lines on stderr. Short runs stay silent when
 * nobody watches (stderr not a TTY, as in scripts and CI), but a run that
 * goes past `quietForMs` says which steps are still running and then streams.
 */
export function createRunProgress(options: ProgressOptions): RunProgress {
  const startedAt = Date.now();
  const running = new Set<string>();
  let live = options.live;
  const timer = live
    ? undefined
    : setTimeout(() => {
        live = true;
        const list = running.size > 0 ? `: ${[...running].join(', ')}` : '';
        emit(`still running after ${formatDuration(Date.now() - startedAt)}${list}`);
      }, options.quietForMs ?? 1000);
  timer?.unref();

  function emit(text: string): void {
    if (live)
      options.write(`${options.style.dim(`[${formatElapsed(Date.now() - startedAt)}]`)} ${text}`);
  }

  return {
    onEvent(event) {
      const line = describe(event, options.style);
      if (event.type === 'step.started') running.add(event.stepId);
      if (event.type === 'step.finished') running.delete(event.stepId);
      if (line) emit(line);
    },
    close() {
      if (timer) clearTimeout(timer);
    },
  };
}

function describe(event: EngineEvent, style: TerminalStyle): string | undefined {
  switch (event.type) {
    case 'step.started':
      return `▸ ${event.stepId} started${event.attempt > 1 ? ` (attempt ${event.attempt})` : ''}`;
    case 'step.retrying':
      return style.yellow(
        `↻ ${event.stepId} attempt ${event.attempt - 1} failed (${event.error.code} ${event.error.message}); attempt ${event.attempt} in ${formatDuration(event.delayMs)}`,
      );
    case 'step.finished': {
      const { status, durationMs, error } = event.result;
      const tail = error ? `: ${error.code} ${error.message}` : '';
      return `${status === 'failed' ? style.red('✘') : '■'} ${event.stepId} ${status} in ${formatDuration(durationMs)}${tail}`;
    }
    case 'log':
      if (event.level === 'debug') return undefined;
      return `${event.level}${event.stepId ? ` ${event.stepId}` : ''}: ${event.message}`;
    case 'run.started':
    case 'run.finished':
      return undefined;
    default:
      return assertNever(event);
  }
}

function formatElapsed(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

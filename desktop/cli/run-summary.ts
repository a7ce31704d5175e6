import { assertNever } from '../../shared/src/index';
import type { RunResult, StepResult, StepStatus, Workflow } from '../../shared/src/index';
import type { TerminalStyle } from './terminal-style';
import { topologicalOrder } from './topological-order';

const SYMBOL: Record<StepStatus, string> = {
  success: '✔',
  failed: '✘',
  skipped: '○',
  canceled: '⊘',
  running: '…',
  pending: '·',
};

const TALLY_ORDER: StepStatus[] = [
  'success',
  'failed',
  'canceled',
  'skipped',
  'running',
  'pending',
];

export interface SummaryOptions {
  style: TerminalStyle;
  /** Terminal width, to cut previews so that a row fits on one line. */
  columns?: number;
}

/**
 * The readable summary of a run: one row per step in topological order
 * (status symbol, id, type, duration, attempts, a short output or error
 * preview), then one line for the run.
 */
export function formatRunSummary(
  workflow: Workflow,
  result: RunResult,
  options: SummaryOptions,
): string {
  const rows = topologicalOrder(workflow).map((id) => {
    const node = workflow.nodes.find((candidate) => candidate.id === id);
    return { id, type: node?.type ?? '?', step: result.steps[id] };
  });
  const idWidth = Math.max(...rows.map((row) => row.id.length));
  const typeWidth = Math.max(...rows.map((row) => row.type.length));
  const durations = rows.map((row) => (row.step ? formatDuration(row.step.durationMs) : ''));
  const durationWidth = Math.max(...durations.map((text) => text.length));
  const lines = rows.map((row, i) => {
    const fixed = [
      row.id.padEnd(idWidth),
      row.type.padEnd(typeWidth),
      (durations[i] ?? '').padStart(durationWidth),
      formatAttempts(row.step).padEnd(4),
    ].join('  ');
    const room = Math.max(20, (options.columns ?? 120) - fixed.length - 4);
    const status = row.step?.status ?? 'pending';
    return `${colour(status, SYMBOL[status], options.style)} ${fixed}  ${preview(row.step, room, options.style)}`;
  });
  return [...lines, '', formatRunLine(result, options.style)].join('\n');
}

function formatRunLine(result: RunResult, style: TerminalStyle): string {
  const steps = Object.values(result.steps);
  const tally = TALLY_ORDER.map(
    (status) => [status, steps.filter((step) => step.status === status).length] as const,
  )
    .filter(([, count]) => count > 0)
    .map(([status, count]) => `${count} ${status}`)
    .join(', ');
  const took = result.finishedAt
    ? ` in ${formatDuration(Date.parse(result.finishedAt) - Date.parse(result.startedAt))}`
    : '';
  const head = style.bold(colour(result.status, `Run ${result.status}`, style));
  const error = result.error
    ? ` — ${result.error.step ? `${result.error.step}: ` : ''}${result.error.code} ${singleLine(result.error.message)}`
    : '';
  return `${head}${took} (${tally})${error}`;
}

function preview(step: StepResult | undefined, room: number, style: TerminalStyle): string {
  if (!step) return style.dim('not reached');
  if (step.error)
    return style.red(cut(`${step.error.code} ${singleLine(step.error.message)}`, room));
  if (step.status === 'skipped' || step.status === 'canceled') return style.dim(step.status);
  const port = step.port && step.port !== 'out' ? `→ ${step.port}  ` : '';
  return port + style.dim(cut(toJsonPreview(step.output), room - port.length));
}

function toJsonPreview(value: unknown): string {
  if (value === undefined) return '';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function formatAttempts(step: StepResult | undefined): string {
  return step && step.attempts > 0 ? `${step.attempts}×` : '';
}

/** `0 ms`, `640 ms`, `1.25 s`, `2 min 5 s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2).replace(/\.?0+$/, '')} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

function colour(status: StepStatus, text: string, style: TerminalStyle): string {
  switch (status) {
    case 'success':
      return style.green(text);
    case 'failed':
      return style.red(text);
    case 'canceled':
      return style.yellow(text);
    case 'skipped':
    case 'pending':
    case 'running':
      return style.dim(text);
    default:
      return assertNever(status);
  }
}

function singleLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}

function cut(text: string, room: number): string {
  return text.length <= room ? text : `${text.slice(0, Math.max(1, room - 1))}…`;
}

/**
 * Autocompletion of context paths inside `{{ }}` templates: `trigger.body.…`,
 * `steps.<id>.…`, `env.…`, from sample data (the last dry-run or pinned
 * samples). Pure: the editor component only renders what this returns.
 */

export interface CompletionContext {
  trigger?: unknown;
  steps: Record<string, unknown>;
  env: Record<string, string>;
  /** Ids of the other nodes, offered under `steps.` even before they have run. */
  stepIds: string[];
}

export interface Completion {
  /** The whole path the completion produces, e.g. `trigger.body.name`. */
  path: string;
  /** The segment being completed, e.g. `name`. */
  label: string;
  /** A short description of the sample value. */
  detail: string;
}

export interface CompletionQuery {
  /** Where the path being typed starts in the text. */
  from: number;
  /** The parent segments, e.g. ['trigger', 'body'] for `trigger.body.na`. */
  parent: string[];
  /** The partial last segment, e.g. `na`. */
  partial: string;
}

const ROOTS = ['trigger', 'steps', 'env', 'execution', 'item', 'index', 'error'];

/** The path under the cursor when the cursor is inside an open `{{ … }}`, else null. */
export function queryAt(text: string, cursor: number): CompletionQuery | null {
  const before = text.slice(0, cursor);
  const open = before.lastIndexOf('{{');
  if (open < 0 || before.lastIndexOf('}}') > open) return null;
  const match = /([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*\.?|)$/.exec(before.slice(open + 2));
  const typed = match?.[1] ?? '';
  const segments = typed.split('.');
  const partial = segments.pop() ?? '';
  return { from: cursor - typed.length, parent: segments, partial };
}

export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `array(${value.length})`;
  if (typeof value === 'object') return 'object';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 24 ? `${value.slice(0, 24)}…` : value);
  return String(value);
}

function childrenOf(parent: string[], context: CompletionContext): [string, unknown][] {
  const [root, ...rest] = parent;
  let value: unknown;
  if (root === 'steps') {
    if (rest.length === 0) {
      const ids = new Set([...context.stepIds, ...Object.keys(context.steps)]);
      return [...ids].map((id) => [id, context.steps[id]]);
    }
    value = context.steps[rest.shift()!];
  } else if (root === 'trigger') value = context.trigger;
  else if (root === 'env') value = context.env;
  else if (root === 'execution') value = { id: '', workflowName: '', startedAt: '' };
  else if (root === 'error') value = { message: '', code: '', step: '' };
  for (const key of rest) {
    value =
      value !== null && typeof value === 'object'
        ? (value as Record<string, unknown>)[key]
        : undefined;
  }
  if (Array.isArray(value)) value = value[0];
  return value !== null && typeof value === 'object' ? Object.entries(value) : [];
}

export function completionsFor(
  query: CompletionQuery,
  context: CompletionContext,
  limit = 30,
): Completion[] {
  const entries: [string, unknown][] =
    query.parent.length === 0
      ? ROOTS.map((root) => [root, undefined])
      : childrenOf(query.parent, context);
  const partial = query.partial.toLowerCase();
  return entries
    .filter(([key]) => /^[A-Za-z_$][\w$]*$/.test(key) && key.toLowerCase().startsWith(partial))
    .slice(0, limit)
    .map(([key, value]) => ({
      path: [...query.parent, key].join('.'),
      label: key,
      detail: query.parent.length === 0 ? 'context' : describeValue(value),
    }));
}

/** Replaces the typed path with the chosen completion; returns the new text and cursor. */
export function applyCompletion(
  text: string,
  cursor: number,
  query: CompletionQuery,
  completion: Completion,
): { text: string; cursor: number } {
  const next = text.slice(0, query.from) + completion.path + text.slice(cursor);
  return { text: next, cursor: query.from + completion.path.length };
}

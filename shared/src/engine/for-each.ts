import { cancellation } from './retry';
import type { StepError } from './step-error';

export type ElementResult<T> = { ok: true; value: T } | { ok: false; error: StepError };

/**
 * forEach's input as a list: an array as is, null or missing as empty, any
 * other value as a one-element list (workflow-v1.md `forEach`).
 */
export function toElements(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/**
 * Runs `run` over the elements with at most `concurrency` at a time and
 * returns the outputs in input order, whatever order they finish in. The
 * first failure stops launching elements and aborts those in flight.
 */
export async function mapInOrder<T>(
  elements: readonly unknown[],
  concurrency: number,
  parent: AbortSignal,
  run: (element: unknown, index: number, signal: AbortSignal) => Promise<ElementResult<T>>,
): Promise<{ ok: true; values: T[] } | { ok: false; error: StepError; index: number }> {
  const controller = new AbortController();
  const onParentAbort = () => controller.abort(parent.reason);
  parent.addEventListener('abort', onParentAbort, { once: true });
  const values = new Array<T>(elements.length);
  let next = 0;
  let failure: { error: StepError; index: number } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < elements.length && !controller.signal.aborted) {
      const index = next++;
      const result = await run(elements[index], index, controller.signal);
      if (result.ok) values[index] = result.value;
      else if (failure === undefined) {
        failure = { error: result.error, index };
        controller.abort(result.error);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, elements.length) }, worker));
  } finally {
    parent.removeEventListener('abort', onParentAbort);
  }
  if (failure === undefined && controller.signal.aborted)
    failure = { error: cancellation(controller.signal), index: next };
  return failure ? { ok: false, ...failure } : { ok: true, values };
}

import { evaluateTemplatePreview } from '../../../../shared/src/expressions/preview';
import type { TemplatePreview } from '../../../../shared/src/expressions/preview';
import type { CompletionContext } from './expression-completions';

/**
 * Previews a JSON value whose strings may hold templates, the way the engine
 * evaluates a config tree: each string on its own, keys left alone.
 */
export async function previewTree(
  value: unknown,
  context: CompletionContext,
): Promise<TemplatePreview> {
  const sample = { trigger: context.trigger, steps: context.steps, env: context.env };
  const walk = async (node: unknown): Promise<unknown> => {
    if (typeof node === 'string') {
      if (!node.includes('{{')) return node;
      const result = await evaluateTemplatePreview(node, sample);
      if (!result.ok) throw new Error(result.message);
      return result.value;
    }
    if (Array.isArray(node)) return Promise.all(node.map(walk));
    if (node !== null && typeof node === 'object') {
      const entries = await Promise.all(
        Object.entries(node).map(async ([k, v]) => [k, await walk(v)] as const),
      );
      return Object.fromEntries(entries);
    }
    return node;
  };
  try {
    return { ok: true, value: await walk(value) };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}

/** True when a JSON value holds at least one template string. */
export function hasTemplates(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('{{');
  if (Array.isArray(value)) return value.some(hasTemplates);
  if (value !== null && typeof value === 'object') return Object.values(value).some(hasTemplates);
  return false;
}

import { toStepError } from '../engine/step-error';
import type { ExpressionContext } from './context';
import { compileTemplate, TemplateParseError } from './template';

export type TemplatePreview = { ok: true; value: unknown } | { ok: false; message: string };

/**
 * Evaluates one template string against a sample context, for the desktop's
 * live preview. Never throws.
 * @example await evaluateTemplatePreview('{{ trigger.a + 1 }}', { trigger: { a: 1 } }) // { ok: true, value: 2 }
 */
export async function evaluateTemplatePreview(
  template: string,
  context: Partial<ExpressionContext>,
): Promise<TemplatePreview> {
  try {
    const compiled = compileTemplate(template);
    const full: ExpressionContext = {
      trigger: undefined,
      steps: {},
      env: {},
      execution: { id: 'preview', workflowName: 'preview', startedAt: new Date(0).toISOString() },
      ...context,
    };
    return { ok: true, value: await compiled.evaluate(full) };
  } catch (error) {
    if (error instanceof TemplateParseError)
      return { ok: false, message: `template does not parse: ${error.message}` };
    return { ok: false, message: toStepError(error).message };
  }
}

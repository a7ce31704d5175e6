import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileConfigTree, compileTemplate, StepError, TemplateParseError } from '../src/index';
import type { ExpressionContext } from '../src/index';
import { jsonWithTemplates } from './arbitraries';

// Whatever data reaches a template, and whatever a user writes in one, the
// only failures are a parse error when compiling and an EXPRESSION StepError
// when evaluating: never a TypeError or anything that would crash a host.

const context: fc.Arbitrary<ExpressionContext> = fc.record({
  trigger: fc.jsonValue(),
  steps: fc.dictionary(fc.constantFrom('a', 'b', 'fetch', 'rows'), fc.jsonValue()),
  env: fc.dictionary(fc.constantFrom('URL', 'TOKEN', 'K'), fc.string()),
  execution: fc.constant({
    id: 'exec-1',
    workflowName: 'property',
    startedAt: '2026-11-23T10:00:00.000Z',
  }),
  item: fc.jsonValue(),
  index: fc.nat(),
});

/** JSONata source built from the names of the context, operators and a few functions; often invalid. */
const expression: fc.Arbitrary<string> = fc.letrec<{ expr: string }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(
      'trigger',
      'trigger.a',
      'trigger[0]',
      'steps.a',
      'steps.fetch.body',
      'env.URL',
      'item',
      'index',
    ),
    fc.constantFrom('1', '0', '-1.5', '"x"', "'}}'", 'true', 'null', '[]', '{}', '$', '$$'),
    fc
      .tuple(
        tie('expr'),
        fc.constantFrom('+', '-', '*', '/', '%', '&', '=', '!=', '<', 'and', 'or', 'in', '..'),
        tie('expr'),
      )
      .map(([a, op, b]) => `${a} ${op} ${b}`),
    fc
      .tuple(
        fc.constantFrom(
          '$sum',
          '$count',
          '$string',
          '$number',
          '$lowercase',
          '$keys',
          '$length',
          '$split',
          '$join',
          '$exists',
          '$boolean',
          '$not',
        ),
        tie('expr'),
      )
      .map(([fn, arg]) => `${fn}(${arg})`),
    fc.tuple(tie('expr'), tie('expr')).map(([a, b]) => `${a}[${b}]`),
    fc.tuple(tie('expr'), tie('expr')).map(([a, b]) => `{ "k": ${a}, "v": ${b} }`),
    fc.tuple(tie('expr'), tie('expr'), tie('expr')).map(([a, b, c]) => `${a} ? ${b} : ${c}`),
    fc.string({ maxLength: 6 }),
  ),
})).expr;

const templateSource = fc.oneof(
  expression.map((e) => `{{ ${e} }}`),
  fc
    .tuple(fc.string({ maxLength: 5 }), expression, fc.string({ maxLength: 5 }))
    .map(([a, e, b]) => `${a}{{ ${e} }}${b}`),
  fc
    .array(fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom('{{', '}}', '{{ trigger }}')), {
      maxLength: 6,
    })
    .map((parts) => parts.join('')),
);

/** Runs `fn`, accepting only a TemplateParseError (compile) or a StepError EXPRESSION (evaluate). */
async function onlyExpectedFailures(fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof TemplateParseError) {
      expect(error.message).not.toBe('');
      return;
    }
    expect(error).toBeInstanceOf(StepError);
    expect((error as StepError).code).toBe('EXPRESSION');
    expect((error as StepError).retryable).toBe(false);
  }
}

describe('templates on random data and random expressions (fast-check)', () => {
  it('compile or evaluate fail only with a parse error or EXPRESSION', async () => {
    await fc.assert(
      fc.asyncProperty(templateSource, context, async (source, ctx) => {
        await onlyExpectedFailures(() => compileTemplate(source).evaluate(ctx));
      }),
      { numRuns: 500 },
    );
  });

  it('config trees with templates at any depth fail only the same ways', async () => {
    await fc.assert(
      fc.asyncProperty(jsonWithTemplates, context, async (tree, ctx) => {
        await onlyExpectedFailures(() => compileConfigTree(tree).evaluate(ctx));
      }),
      { numRuns: 300 },
    );
  });

  it('a whole-string template gives the raw value, whatever its type', async () => {
    await fc.assert(
      fc.asyncProperty(context, async (ctx) => {
        expect(await compileTemplate('  {{ trigger }} ').evaluate(ctx)).toEqual(ctx.trigger);
        expect(await compileTemplate('{{ steps }}').evaluate(ctx)).toEqual(ctx.steps);
      }),
      { numRuns: 300 },
    );
  });

  it('text interpolation writes strings as they are and anything else as JSON', async () => {
    await fc.assert(
      fc.asyncProperty(context, fc.string(), async (ctx, prefix) => {
        const safePrefix = prefix.replace(/[{}]/g, ''); // a trailing '{' would join the template's braces
        const expected =
          typeof ctx.trigger === 'string' ? ctx.trigger : JSON.stringify(ctx.trigger);
        expect(await compileTemplate(`${safePrefix}{{ trigger }}!`).evaluate(ctx)).toBe(
          `${safePrefix}${expected}!`,
        );
        expect(
          await compileTemplate(`${safePrefix}{{ trigger.nothing.here }}!`).evaluate(ctx),
        ).toBe(`${safePrefix}!`);
      }),
      { numRuns: 300 },
    );
  });

  it('a template-free tree evaluates to itself', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (value) => {
        fc.pre(!JSON.stringify(value).includes('{{'));
        expect(await compileConfigTree(value).evaluate({} as ExpressionContext)).toEqual(value);
      }),
      { numRuns: 200 },
    );
  });
});

import { describe, expect, it } from 'vitest';
import { StepError } from '../engine/step-error';
import type { ExpressionContext } from './context';
import { compileConfigTree, findTemplateErrors } from './config-tree';
import { evaluateTemplatePreview } from './preview';
import { compileTemplate, TemplateParseError } from './template';

const context: ExpressionContext = {
  trigger: { body: { id: 7, total: 150, name: 'Ada', tags: ['a', 'b'], nested: { x: 1 } } },
  steps: { fetch: { body: { items: [{ id: 1 }, { id: 2 }] } } },
  env: { CRM_URL: 'https://crm.example.com' },
  execution: { id: 'exec-1', workflowName: 'wf', startedAt: '2026-01-01T00:00:00.000Z' },
};

describe('compileTemplate', () => {
  it('gives the raw typed value for a string that is exactly one template', async () => {
    expect(await compileTemplate('{{ trigger.body.total }}').evaluate(context)).toBe(150);
    expect(await compileTemplate('  {{ trigger.body.total > 100 }} ').evaluate(context)).toBe(true);
    expect(await compileTemplate('{{ trigger.body.nested }}').evaluate(context)).toEqual({ x: 1 });
    expect(await compileTemplate('{{ null }}').evaluate(context)).toBeNull();
    expect(await compileTemplate('{{ trigger.nothing }}').evaluate(context)).toBeUndefined();
  });

  it('interpolates text: strings as is, JSON for the rest, missing as empty', async () => {
    const template = compileTemplate(
      '{{ env.CRM_URL }}/o/{{ trigger.body.id }}?t={{ trigger.body.tags }}&n={{ x }}&o={{ trigger.body.nested }}&b={{ true }}',
    );
    expect(template.kind).toBe('text');
    expect(await template.evaluate(context)).toBe(
      'https://crm.example.com/o/7?t=["a","b"]&n=&o={"x":1}&b=true',
    );
  });

  it('keeps a string without templates literally', async () => {
    const template = compileTemplate('plain } text {');
    expect(template.kind).toBe('literal');
    expect(await template.evaluate(context)).toBe('plain } text {');
  });

  it('reads every context name', async () => {
    const full = {
      ...context,
      item: { n: 1 },
      index: 3,
      error: { message: 'boom', code: 'NETWORK' as const, step: 'a' },
    };
    const template = compileTemplate(
      '{{ [execution.id, item.n, index, error.code, error.step, steps.fetch.body.items[1].id] }}',
    );
    expect(await template.evaluate(full)).toEqual(['exec-1', 1, 3, 'NETWORK', 'a', 2]);
  });

  it('returns a one-element result as a bare value (JSONata), and a list with [ ]', async () => {
    const one = { ...context, steps: { rows: [{ id: 1 }] } };
    expect(await compileTemplate('{{ steps.rows.id }}').evaluate(one)).toBe(1);
    expect(await compileTemplate('{{ [steps.rows.id] }}').evaluate(one)).toEqual([1]);
  });

  it('answers plain paths like JSONata (arrays on the way, keywords, inherited names)', async () => {
    const cases: [string, unknown][] = [
      ['{{ steps.fetch.body.items.id }}', [1, 2]],
      ['{{ trigger.body.tags }}', ['a', 'b']],
      ['{{ true }}', true],
      ['{{ null }}', null],
      ['{{ trigger.constructor }}', undefined],
      ['{{ trigger.body.name.length }}', undefined],
      ['{{ trigger . body . id }}', 7],
    ];
    for (const [source, expected] of cases)
      expect(await compileTemplate(source).evaluate(context)).toEqual(expected);
  });

  it('refuses regexes that backtrack catastrophically, and keeps ordinary ones', async () => {
    const slow = await compileTemplate(
      '{{ $match("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", /(a+)+$/) }}',
    )
      .evaluate(context)
      .catch((e: unknown) => e);
    expect(slow).toMatchObject({
      code: 'EXPRESSION',
      message: expect.stringContaining('is refused') as unknown,
    });
    expect(
      await compileTemplate('{{ $replace("a-b-c", /-(\\w)/, "+$1") }}').evaluate(context),
    ).toBe('a+b+c');
    expect(await compileTemplate('{{ $contains("order 42", /\\d+/) }}').evaluate(context)).toBe(
      true,
    );
  });

  it('reads functions in results as missing (lambdas are circular objects in JSONata)', async () => {
    expect(await compileTemplate('{{ function($x) { $x } }}').evaluate(context)).toBeUndefined();
    expect(await compileTemplate('{{ $string }}').evaluate(context)).toBeUndefined();
    expect(await compileTemplate('{{ [1, function($x) { $x }] }}').evaluate(context)).toEqual([
      1,
      null,
    ]);
    expect(
      await compileTemplate('{{ {"a": 1, "f": function($x) { $x }} }}').evaluate(context),
    ).toEqual({ a: 1 });
    expect(await compileTemplate('x{{ {"f": $substring(?, 1)} }}').evaluate(context)).toBe('x{}');
  });

  it('evaluates over any root, for templates over data (dedupeKey)', async () => {
    const output = { headers: { 'x-delivery-id': 'd-1' } };
    expect(await compileTemplate('{{ headers."x-delivery-id" }}').evaluate(output)).toBe('d-1');
  });

  it('finds the end of a template holding "}}" (object constructors, strings)', async () => {
    expect(await compileTemplate('{{ {"a": {"b": 1}} }}').evaluate(context)).toEqual({
      a: { b: 1 },
    });
    expect(await compileTemplate('x{{ "}}" }}y').evaluate(context)).toBe('x}}y');
  });

  it('reports unclosed, empty and unparsable templates with a message', () => {
    expect(() => compileTemplate('{{ trigger.a')).toThrow(/not closed/);
    expect(() => compileTemplate('{{   }}')).toThrow(/empty template/);
    expect(() => compileTemplate('{{ trigger.( }}')).toThrow(TemplateParseError);
  });

  it('fails evaluation with a non-retryable EXPRESSION StepError', async () => {
    const error = await compileTemplate('{{ $number("abc") + $undefinedFn() }}')
      .evaluate(context)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StepError);
    expect((error as StepError).code).toBe('EXPRESSION');
    expect((error as StepError).retryable).toBe(false);
  });

  it('stops an endless expression instead of hanging the host', async () => {
    const started = Date.now();
    const error = await compileTemplate('{{ ($f := function($n) { $f($n + 1) }; $f(0)) }}')
      .evaluate(context)
      .catch((e: unknown) => e);
    expect((error as StepError).code).toBe('EXPRESSION');
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('compileConfigTree', () => {
  it('evaluates strings at any depth, not keys, and keeps types', async () => {
    const tree = compileConfigTree({
      url: '{{ env.CRM_URL }}/orders',
      '{{ not.a.key }}': 'kept',
      body: {
        id: '{{ trigger.body.id }}',
        list: ['{{ trigger.body.name }}', 3, '{{ nothing }}'],
        flag: false,
      },
    });
    expect(tree.isStatic).toBe(false);
    expect(await tree.evaluate(context)).toEqual({
      url: 'https://crm.example.com/orders',
      '{{ not.a.key }}': 'kept',
      body: { id: 7, list: ['Ada', 3, null], flag: false },
    });
  });

  it('leaves out a key whose template gives nothing, so that defaults apply', async () => {
    expect(await compileConfigTree({ a: '{{ missing }}', b: 1 }).evaluate(context)).toEqual({
      b: 1,
    });
  });

  it('returns a value without templates as is', async () => {
    const value = { a: [1, { b: 'c' }] };
    const tree = compileConfigTree(value);
    expect(tree.isStatic).toBe(true);
    expect(await tree.evaluate(context)).toBe(value);
  });

  it('keeps literal keys literal', async () => {
    const tree = compileConfigTree(
      { code: 'return {{ x }}', other: '{{ 1 }}' },
      { literalKeys: ['code'] },
    );
    expect(await tree.evaluate(context)).toEqual({ code: 'return {{ x }}', other: 1 });
  });

  it('lists every template parse error with its path', () => {
    expect(findTemplateErrors({ a: '{{ ok }}', b: { c: ['x', '{{ ( }}'] }, d: '{{ open' })).toEqual(
      [
        {
          path: ['b', 'c', 1],
          message: expect.stringMatching(/^template does not parse: /) as unknown,
        },
        { path: ['d'], message: 'template does not parse: "{{" is not closed by "}}"' },
      ],
    );
  });
});

describe('evaluateTemplatePreview', () => {
  it('gives the value, or a message for parse and evaluation errors', async () => {
    expect(await evaluateTemplatePreview('{{ trigger.a + 1 }}', { trigger: { a: 1 } })).toEqual({
      ok: true,
      value: 2,
    });
    expect(await evaluateTemplatePreview('{{ ( }}', {})).toMatchObject({
      ok: false,
      message: expect.stringMatching(/does not parse/) as unknown,
    });
    expect(await evaluateTemplatePreview('{{ $nope() }}', {})).toMatchObject({ ok: false });
  });
});

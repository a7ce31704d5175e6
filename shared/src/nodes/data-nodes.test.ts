import { describe, expect, it } from 'vitest';
import type { StepHost } from '../engine/host';
import type { ExpressionContext } from '../expressions/context';
import { createTestHost } from '../testing/test-host';
import { branchIfNode, isTruthy } from './branch-if';
import { csvFormatNode, csvParseNode } from './csv';
import { failNode } from './flow-fail';
import type { NodeDefinition } from './node-definition';
import { respondNode } from './respond';
import { transformNode } from './transform';

const context: ExpressionContext = {
  trigger: null,
  steps: {},
  env: {},
  execution: { id: 'e', workflowName: 'w', startedAt: '' },
};

/** Parses the config with the node's schema (defaults applied), then runs the node. */
function runNode<C>(
  definition: NodeDefinition<C>,
  raw: unknown,
  host: StepHost = createTestHost(),
) {
  const config = definition.config.parse(raw);
  return definition.run({
    stepId: 's',
    config,
    context,
    host,
    signal: new AbortController().signal,
    addSecrets: () => undefined,
    log: () => undefined,
  });
}

describe('transform', () => {
  it('outputs its evaluated value, null when missing', async () => {
    expect(await runNode(transformNode, { value: { a: [1] } })).toEqual({ output: { a: [1] } });
    expect(await runNode(transformNode, {})).toEqual({ output: null });
  });
});

describe('branch.if', () => {
  it('takes the true or false port with { result }', async () => {
    expect(await runNode(branchIfNode, { condition: true })).toEqual({
      output: { result: true },
      port: 'true',
    });
    expect(await runNode(branchIfNode, { condition: 0 })).toEqual({
      output: { result: false },
      port: 'false',
    });
  });

  it('casts like JSONata $boolean', () => {
    expect([undefined, null, false, 0, '', [], {}, [0, '']].map(isTruthy)).toEqual(
      Array(8).fill(false),
    );
    expect([true, 1, 'false', [0, 1], { a: 0 }].map(isTruthy)).toEqual(Array(5).fill(true));
  });
});

describe('csv.parse', () => {
  it('reads rows keyed by header, skipping empty lines', async () => {
    const { output } = await runNode(csvParseNode, {
      text: 'email,name\na@x.com,"Ada, L."\n\nb@x.com,Bob\n',
    });
    expect(output).toEqual({
      rows: [
        { email: 'a@x.com', name: 'Ada, L.' },
        { email: 'b@x.com', name: 'Bob' },
      ],
      count: 2,
    });
  });

  it('reads arrays without a header, with another delimiter', async () => {
    const { output } = await runNode(csvParseNode, {
      text: '1;2\n3;4',
      delimiter: ';',
      header: false,
    });
    expect(output).toEqual({
      rows: [
        ['1', '2'],
        ['3', '4'],
      ],
      count: 2,
    });
  });

  it('fails with CSV on malformed input', async () => {
    await expect(runNode(csvParseNode, { text: 'a,b\n"unclosed,2' })).rejects.toMatchObject({
      code: 'CSV',
      retryable: false,
      message: expect.stringMatching(/^CSV does not parse/) as unknown,
    });
  });
});

describe('csv.format', () => {
  it('writes objects with columns in first-seen order and a header', async () => {
    const { output } = await runNode(csvFormatNode, {
      rows: [{ a: 1, b: 'x,y' }, { c: true, a: null }, { b: { n: 1 } }],
    });
    expect(output).toEqual({ text: 'a,b,c\n1,"x,y",\n,,true\n,"{""n"":1}",', count: 3 });
  });

  it('follows the given columns, delimiter and header setting; arrays as they are', async () => {
    expect(
      (
        await runNode(csvFormatNode, {
          rows: [{ a: 1, b: 2 }],
          columns: ['b', 'a'],
          delimiter: ';',
        })
      ).output,
    ).toEqual({ text: 'b;a\n2;1', count: 1 });
    expect(
      (
        await runNode(csvFormatNode, {
          rows: [
            [1, 2],
            [3, 4],
          ],
          header: false,
        })
      ).output,
    ).toEqual({ text: '1,2\n3,4', count: 2 });
  });

  it('round-trips through csv.parse', async () => {
    const rows = [{ name: 'Ada "the first"', note: 'line1\nline2' }];
    const { output } = await runNode(csvFormatNode, { rows });
    expect(
      (await runNode(csvParseNode, { text: (output as { text: string }).text })).output,
    ).toEqual({ rows, count: 1 });
  });
});

describe('respond', () => {
  it('outputs status (default 200), headers and body', async () => {
    expect(await runNode(respondNode, { body: { ok: true } })).toEqual({
      output: { status: 200, headers: {}, body: { ok: true } },
    });
    expect(await runNode(respondNode, { status: 201, headers: { 'x-a': '1' } })).toEqual({
      output: { status: 201, headers: { 'x-a': '1' }, body: null },
    });
  });
});

describe('flow.fail', () => {
  it('always fails with FAIL and its message, not retried', async () => {
    await expect(runNode(failNode, { message: 'stop here' })).rejects.toMatchObject({
      code: 'FAIL',
      message: 'stop here',
      retryable: false,
    });
  });
});

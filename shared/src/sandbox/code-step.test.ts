import { beforeAll, describe, expect, it } from 'vitest';
import type { CodeSandbox } from '../engine/host';
import { runWorkflow } from '../engine/run-workflow';
import { createTestHost } from '../testing/test-host';
import { buildWorkflow } from '../testing/workflow-builder';
import { createQuickJsSandbox } from './index';

// The sandbox inside the engine: code.js steps of a real run, through the StepHost.
let sandbox: CodeSandbox;

beforeAll(async () => {
  sandbox = await createQuickJsSandbox();
});

async function runSteps(nodes: Parameters<typeof buildWorkflow>[0], input: unknown = {}) {
  const edges = nodes.map((node, i) => ({
    from: i === 0 ? 'start' : nodes[i - 1]!.id,
    to: node.id,
  }));
  return runWorkflow(buildWorkflow(nodes, edges), {
    input,
    executionId: 'ex-sandbox',
    host: createTestHost({ sandbox }),
  });
}

describe('code.js steps in a run', () => {
  it('passes the context in and the output on to the next step', async () => {
    const result = await runSteps(
      [
        {
          id: 'sum',
          type: 'code.js',
          config: { code: 'return { total: input.trigger.items.reduce((a, b) => a + b, 0) }' },
        },
        {
          id: 'double',
          type: 'code.js',
          config: { code: 'return await Promise.resolve(input.steps.sum.total * 2)' },
        },
      ],
      { items: [1, 2, 3] },
    );
    expect(result.status).toBe('success');
    expect(result.steps['sum']?.output).toEqual({ total: 6 });
    expect(result.steps['double']?.output).toBe(12);
  });

  it('retries a throwing step and reports CODE with the message', async () => {
    const result = await runSteps(
      [
        {
          id: 'boom',
          type: 'code.js',
          retry: { maxAttempts: 2, backoffMs: 1 },
          config: { code: 'throw new Error("bad row " + input.trigger.id)' },
        },
      ],
      { id: 7 },
    );
    expect(result.status).toBe('failed');
    expect(result.steps['boom']).toMatchObject({
      status: 'failed',
      attempts: 2,
      error: { code: 'CODE', message: 'Error: bad row 7 (line 1)' },
    });
  });

  it('fails a runaway step with TIMEOUT and a memory bomb with MEMORY, then runs the next workflow', async () => {
    const loop = await runSteps([
      { id: 'loop', type: 'code.js', config: { code: 'while (true) {}' } },
    ]);
    expect(loop.steps['loop']?.error?.code).toBe('TIMEOUT');
    const bomb = await runSteps([
      {
        id: 'bomb',
        type: 'code.js',
        config: { code: "let a = []; while (true) a.push('x'.repeat(1e6));" },
      },
    ]);
    expect(bomb.steps['bomb']?.error?.code).toBe('MEMORY');
    const after = await runSteps([{ id: 'ok', type: 'code.js', config: { code: 'return 1' } }]);
    expect(after.steps['ok']).toMatchObject({ status: 'success', output: 1 });
  });
});

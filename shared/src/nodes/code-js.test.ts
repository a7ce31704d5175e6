import { beforeAll, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../engine/events';
import type { CodeSandbox, SandboxLimits } from '../engine/host';
import { runWorkflow } from '../engine/run-workflow';
import { createQuickJsSandbox } from '../sandbox/index';
import { createTestHost } from '../testing/test-host';
import { buildWorkflow } from '../testing/workflow-builder';
import type { EdgeSpec, NodeSpec } from '../testing/workflow-builder';
import { DEFAULT_CODE_LIMITS } from './code-js';

let quickJs: CodeSandbox;
const limitsSeen: SandboxLimits[] = [];
/** The real QuickJS sandbox, recording the limits the engine asks for. */
const sandbox: CodeSandbox = {
  run: (code, input, limits, signal, hooks) => {
    limitsSeen.push(limits);
    return quickJs.run(code, input, limits, signal, hooks);
  },
};
beforeAll(async () => {
  quickJs = await createQuickJsSandbox();
});

async function run(
  nodes: NodeSpec[],
  edges: EdgeSpec[],
  input: unknown = {},
  secretValues: string[] = [],
) {
  const events: EngineEvent[] = [];
  const result = await runWorkflow(buildWorkflow(nodes, edges), {
    input,
    env: { E: 'e' },
    executionId: 'x',
    host: createTestHost({ sandbox }),
    onEvent: (event) => events.push(event),
    secretValues,
  });
  return { result, events };
}

describe('code.js', () => {
  it('receives the context as input and outputs what it returns, with the default limits', async () => {
    limitsSeen.length = 0;
    const { result } = await run(
      [
        { id: 'prev', type: 'transform', config: { value: [1, 2, 3] } },
        {
          id: 'sum',
          type: 'code.js',
          config: {
            code: 'return { total: input.steps.prev.reduce((a, b) => a + b, 0) * input.trigger.k, env: input.env.E, run: input.execution.id };',
          },
        },
      ],
      [
        { from: 'start', to: 'prev' },
        { from: 'prev', to: 'sum' },
      ],
      { k: 2 },
    );
    expect(result.steps.sum).toMatchObject({
      status: 'success',
      output: { total: 12, env: 'e', run: 'x' },
    });
    expect(limitsSeen).toEqual([DEFAULT_CODE_LIMITS]);
    expect(DEFAULT_CODE_LIMITS).toEqual({ cpuMs: 1000, memoryBytes: 64 * 1024 * 1024 });
  });

  it('sees item and index inside forEach, and error behind an error port', async () => {
    const { result } = await run(
      [
        {
          id: 'each',
          type: 'code.js',
          config: { code: 'return input.item * 10 + input.index;' },
          forEach: '{{ [5, 6] }}',
        },
        { id: 'boom', type: 'code.js', config: { code: 'throw new Error("nope")' } },
        { id: 'handle', type: 'code.js', config: { code: 'return input.error;' } },
      ],
      [
        { from: 'start', to: 'each' },
        { from: 'start', to: 'boom' },
        { from: 'boom', port: 'error', to: 'handle' },
      ],
    );
    expect(result.steps.each?.output).toEqual([50, 61]);
    expect(result.steps.handle?.output).toMatchObject({
      code: 'CODE',
      step: 'boom',
      message: expect.stringContaining('nope') as unknown,
    });
  });

  it('retries a thrown error (CODE is retryable)', async () => {
    const { result } = await run(
      [
        {
          id: 'boom',
          type: 'code.js',
          config: { code: 'throw new Error("again")' },
          retry: { maxAttempts: 3, backoffMs: 1 },
        },
      ],
      [{ from: 'start', to: 'boom' }],
    );
    expect(result.steps.boom).toMatchObject({
      status: 'failed',
      attempts: 3,
      error: { code: 'CODE' },
    });
  });

  it('does not evaluate templates inside the code', async () => {
    const { result } = await run(
      [{ id: 'c', type: 'code.js', config: { code: 'return "{{ 1 + 1 }}";' } }],
      [{ from: 'start', to: 'c' }],
    );
    expect(result.steps.c?.output).toBe('{{ 1 + 1 }}');
  });

  it('turns console lines into redacted log events', async () => {
    const { events } = await run(
      [
        {
          id: 'c',
          type: 'code.js',
          config: { code: 'console.warn("token", input.trigger.t); return 1;' },
        },
      ],
      [{ from: 'start', to: 'c' }],
      { t: 'shh-123' },
      ['shh-123'],
    );
    expect(events.filter((e) => e.type === 'log')).toEqual([
      expect.objectContaining({
        type: 'log',
        level: 'warn',
        stepId: 'c',
        message: expect.stringMatching(/^token \[redacted\]/) as unknown,
      }),
    ]);
  });

  it('fails an endless loop with TIMEOUT at the CPU limit, and the host goes on', async () => {
    const { result } = await run(
      [{ id: 'spin', type: 'code.js', config: { code: 'while (true) {}' } }],
      [{ from: 'start', to: 'spin' }],
    );
    expect(result.steps.spin).toMatchObject({ status: 'failed', error: { code: 'TIMEOUT' } });
    const again = await run(
      [{ id: 'ok', type: 'code.js', config: { code: 'return 2;' } }],
      [{ from: 'start', to: 'ok' }],
    );
    expect(again.result.steps.ok?.output).toBe(2);
  });
});

import { describe, expect, it } from 'vitest';
import type { CodeSandbox, SandboxLimits } from '../engine/host';
import { runWorkflow } from '../engine/run-workflow';
import { StepError } from '../engine/step-error';
import { createTestHost } from '../testing/test-host';
import { buildWorkflow } from '../testing/workflow-builder';
import { DEFAULT_CODE_LIMITS } from './code-js';

/**
 * NOT a sandbox: a stand-in with the CodeSandbox contract (JSON in, JSON out,
 * CODE on a throw) so that these tests check what the engine does with
 * code.js. The real one is QuickJS (shared/src/sandbox), tested there.
 */
function createFunctionSandbox(seen: SandboxLimits[] = []): CodeSandbox {
  return {
    async run(code, input, limits) {
      seen.push(limits);
      try {
        const fn = new Function('input', `return (async () => {${code}})();`) as (
          input: unknown,
        ) => Promise<unknown>;
        return JSON.parse(JSON.stringify((await fn(structuredClone(input))) ?? null)) as unknown;
      } catch (error) {
        throw new StepError('CODE', `code threw: ${(error as Error).message}`);
      }
    },
  };
}

describe('code.js', () => {
  it('receives the context as input and outputs what it returns, with the default limits', async () => {
    const limits: SandboxLimits[] = [];
    const prepared = buildWorkflow(
      [
        { id: 'prev', type: 'transform', config: { value: [1, 2, 3] } },
        {
          id: 'sum',
          type: 'code.js',
          config: {
            code: 'return { total: input.steps.prev.reduce((a, b) => a + b, 0) * input.trigger.k, env: input.env.E };',
          },
        },
      ],
      [
        { from: 'start', to: 'prev' },
        { from: 'prev', to: 'sum' },
      ],
    );
    const result = await runWorkflow(prepared, {
      input: { k: 2 },
      env: { E: 'e' },
      executionId: 'x',
      host: createTestHost({ sandbox: createFunctionSandbox(limits) }),
    });
    expect(result.steps.sum).toMatchObject({ status: 'success', output: { total: 12, env: 'e' } });
    expect(limits).toEqual([DEFAULT_CODE_LIMITS]);
    expect(DEFAULT_CODE_LIMITS).toEqual({ cpuMs: 1000, memoryBytes: 64 * 1024 * 1024 });
  });

  it('sees item and index inside forEach, and error behind an error port', async () => {
    const prepared = buildWorkflow(
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
    const result = await runWorkflow(prepared, {
      input: {},
      executionId: 'x',
      host: createTestHost({ sandbox: createFunctionSandbox() }),
    });
    expect(result.steps.each?.output).toEqual([50, 61]);
    expect(result.steps.handle?.output).toEqual({
      message: 'code threw: nope',
      code: 'CODE',
      step: 'boom',
    });
  });

  it('retries a thrown error (CODE is retryable)', async () => {
    const prepared = buildWorkflow(
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
    const result = await runWorkflow(prepared, {
      input: {},
      executionId: 'x',
      host: createTestHost({ sandbox: createFunctionSandbox() }),
    });
    expect(result.steps.boom).toMatchObject({
      status: 'failed',
      attempts: 3,
      error: { code: 'CODE', message: 'code threw: again' },
    });
  });

  it('does not evaluate templates inside the code', async () => {
    const prepared = buildWorkflow(
      [{ id: 'c', type: 'code.js', config: { code: 'return "{{ 1 + 1 }}";' } }],
      [{ from: 'start', to: 'c' }],
    );
    const result = await runWorkflow(prepared, {
      input: {},
      executionId: 'x',
      host: createTestHost({ sandbox: createFunctionSandbox() }),
    });
    expect(result.steps.c?.output).toBe('{{ 1 + 1 }}');
  });
});

import { describe, expect, it } from 'vitest';
import { WORKFLOW_FORMAT } from '../model/workflow';
import type { Workflow } from '../model/workflow';
import { prepareWorkflow } from './prepare';

const workflow = (nodes: Workflow['nodes'], edges: Workflow['edges'] = []): Workflow => ({
  format: WORKFLOW_FORMAT,
  name: 'w',
  nodes,
  edges,
});

describe('prepareWorkflow', () => {
  it('indexes the graph and applies node defaults', () => {
    const prepared = prepareWorkflow(
      workflow(
        [
          { id: 'hook', type: 'trigger.webhook' },
          { id: 'a', type: 'action.http', config: { url: 'http://x' }, forEach: '{{ [1] }}' },
          { id: 'b', type: 'transform', config: { value: 1 } },
        ],
        [
          { from: 'hook', to: 'a' },
          { from: 'a', port: 'error', to: 'b' },
        ],
      ),
    );
    expect(prepared.trigger.id).toBe('hook');
    expect(prepared.timeoutMs).toBe(900_000);
    const a = prepared.byId.get('a');
    expect(a).toMatchObject({
      timeoutMs: 30_000,
      concurrency: 1,
      hasErrorEdge: true,
      retry: { maxAttempts: 1, backoffMs: 1000, factor: 2, maxBackoffMs: 60_000 },
    });
    expect(a?.forEach?.kind).toBe('single');
    expect(prepared.byId.get('b')?.incoming).toEqual([{ from: 'a', to: 'b', port: 'error' }]);
  });

  it('compiles the trigger templates hosts evaluate: dedupeKey over the trigger output, poll items and key', async () => {
    const hook = prepareWorkflow(
      workflow([
        { id: 'hook', type: 'trigger.webhook', dedupeKey: '{{ headers."x-delivery-id" }}' },
      ]),
    );
    expect(
      await hook.triggerTemplates.dedupeKey?.evaluate({ headers: { 'x-delivery-id': 'd-9' } }),
    ).toBe('d-9');
    const poll = prepareWorkflow(
      workflow([
        {
          id: 'p',
          type: 'trigger.poll',
          config: {
            request: { url: 'http://x' },
            intervalSeconds: 60,
            items: '{{ body.items }}',
            key: '{{ item.id }}',
          },
        },
      ]),
    );
    expect(
      await poll.triggerTemplates.pollItems?.evaluate({ body: { items: [{ id: 1 }, { id: 2 }] } }),
    ).toEqual([{ id: 1 }, { id: 2 }]);
    expect(await poll.triggerTemplates.pollKey?.evaluate({ item: { id: 2 } })).toBe(2);
  });

  it('refuses what validation refuses, with a plain error', () => {
    expect(() => prepareWorkflow(workflow([{ id: 'a', type: 'nope' }]))).toThrow(
      'unknown node type "nope"; validate first',
    );
    expect(() =>
      prepareWorkflow(workflow([{ id: 'a', type: 'transform', config: { value: 1 } }])),
    ).toThrow(/exactly one trigger/);
  });
});

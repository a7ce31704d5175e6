import { describe, expect, it } from 'vitest';
import type { RunResult, Workflow } from '../../shared/src/index';
import { formatDuration, formatRunSummary } from './run-summary';
import { ansiStyle, noStyle } from './terminal-style';
import { topologicalOrder } from './topological-order';

const workflow: Workflow = {
  format: 'maestro/workflow@1',
  name: 'summary',
  // Deliberately out of order in the document: the summary follows the graph.
  nodes: [
    { id: 'notify', type: 'action.http', config: { url: 'http://x' } },
    { id: 'order', type: 'trigger.webhook' },
    { id: 'isBig', type: 'branch.if', config: { condition: '{{ true }}' } },
    { id: 'small', type: 'transform', config: { value: 1 } },
  ],
  edges: [
    { from: 'order', to: 'isBig' },
    { from: 'isBig', port: 'true', to: 'notify' },
    { from: 'isBig', port: 'false', to: 'small' },
  ],
};

const result: RunResult = {
  status: 'failed',
  startedAt: '2026-11-23T10:00:00.000Z',
  finishedAt: '2026-11-23T10:00:01.250Z',
  steps: {
    order: { status: 'success', attempts: 1, output: { body: { total: 150 } }, durationMs: 0 },
    isBig: {
      status: 'success',
      attempts: 1,
      output: { result: true },
      port: 'true',
      durationMs: 1,
    },
    notify: {
      status: 'failed',
      attempts: 3,
      error: { code: 'HTTP_STATUS', message: 'POST http://x returned 503\nretry later' },
      durationMs: 1240,
    },
    small: { status: 'skipped', attempts: 0, durationMs: 0 },
  },
  error: {
    step: 'notify',
    code: 'HTTP_STATUS',
    message: 'POST http://x returned 503\nretry later',
  },
};

describe('formatRunSummary', () => {
  it('lists steps in topological order with status, type, duration, attempts and a preview', () => {
    expect(formatRunSummary(workflow, result, { style: noStyle }).split('\n')).toEqual([
      '✔ order   trigger.webhook    0 ms  1×    {"body":{"total":150}}',
      '✔ isBig   branch.if          1 ms  1×    → true  {"result":true}',
      '✘ notify  action.http      1.24 s  3×    HTTP_STATUS POST http://x returned 503 retry later',
      '○ small   transform          0 ms        skipped',
      '',
      'Run failed in 1.25 s (2 success, 1 failed, 1 skipped) — notify: HTTP_STATUS POST http://x returned 503 retry later',
    ]);
  });

  it('cuts long previews to the terminal width', () => {
    const long: RunResult = {
      ...result,
      steps: {
        ...result.steps,
        order: { status: 'success', attempts: 1, output: 'x'.repeat(500), durationMs: 0 },
      },
    };
    const [first] = formatRunSummary(workflow, long, { style: noStyle, columns: 80 }).split('\n');
    expect(first?.length).toBeLessThanOrEqual(80);
    expect(first).toMatch(/x…$/);
  });

  it('colours only with a colour style', () => {
    expect(formatRunSummary(workflow, result, { style: ansiStyle })).toContain(
      '\u001b[32m✔\u001b[39m',
    );
    expect(formatRunSummary(workflow, result, { style: noStyle })).not.toContain('\u001b[');
  });
});

describe('topologicalOrder', () => {
  it('puts every node after its upstream nodes, ties in document order', () => {
    expect(topologicalOrder(workflow)).toEqual(['order', 'isBig', 'notify', 'small']);
  });

  it('still lists every node when the graph has a cycle', () => {
    const cyclic = {
      nodes: [{ id: 'a' }, { id: 'b' }, { id: 't' }],
      edges: [
        { from: 'a', to: 'b' },
        { from: 'b', to: 'a' },
      ],
    };
    expect(topologicalOrder(cyclic as Workflow)).toEqual(['t', 'a', 'b']);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0 ms'],
    [999, '999 ms'],
    [1000, '1 s'],
    [1250, '1.25 s'],
    [61_000, '1 min 1 s'],
  ])('%d ms → %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
});

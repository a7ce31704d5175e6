import { describe, expect, it } from 'vitest';
import type { Workflow } from '../../../../shared/src/model/workflow';
import { createEditorStore } from './editor-store';

const blank: Workflow = {
  format: 'maestro/workflow@1',
  name: 'Test',
  nodes: [{ id: 'start', type: 'trigger.manual', position: { x: 0, y: 0 } }],
  edges: [],
};

function storeWith(doc: Workflow = blank) {
  const store = createEditorStore();
  store.getState().loadWorkflow('wf1', 1, doc);
  return store;
}

const edgeList = (store: ReturnType<typeof storeWith>) =>
  store
    .getState()
    .toDocument()
    .edges.map((e) => `${e.from}${e.port ? `.${e.port}` : ''}->${e.to}`);

describe('editor store: add after the selected node', () => {
  it('connects a new node from the selected node and selects it', () => {
    const store = storeWith();
    store.getState().selectOnly(['start']);
    const id = store.getState().addNodeAfterSelected('action.http');
    expect(id).toBe('http');
    expect(edgeList(store)).toEqual(['start->http']);
    const { nodes } = store.getState();
    expect(nodes.filter((n) => n.selected).map((n) => n.id)).toEqual(['http']);
    expect(nodes[1]!.position.x).toBeGreaterThan(nodes[0]!.position.x);
  });

  it('chains: each add attaches to the node added before, with unique ids', () => {
    const store = storeWith();
    store.getState().selectOnly(['start']);
    store.getState().addNodeAfterSelected('action.http');
    store.getState().addNodeAfterSelected('action.http');
    store.getState().addNodeAfterSelected('branch.if');
    store.getState().addNodeAfterSelected('transform');
    expect(edgeList(store)).toEqual([
      'start->http',
      'http->http_2',
      'http_2->if',
      'if.true->transform',
    ]);
  });

  it('attaches to the last sink when nothing is selected, and never connects into a trigger', () => {
    const store = storeWith();
    store.getState().addNodeAfterSelected('transform');
    store.getState().selectOnly([]);
    store.getState().addNodeAfterSelected('code.js');
    store.getState().addNodeAfterSelected('trigger.webhook');
    expect(edgeList(store)).toEqual(['start->transform', 'transform->code']);
    expect(store.getState().nodes.map((n) => n.id)).toEqual([
      'start',
      'transform',
      'code',
      'webhook',
    ]);
  });

  it('places a second branch below the first instead of on top of it', () => {
    const store = storeWith();
    store.getState().selectOnly(['start']);
    store.getState().addNodeAfterSelected('transform');
    store.getState().selectOnly(['start']);
    store.getState().addNodeAfterSelected('transform');
    const [, a, b] = store.getState().nodes;
    expect(a!.position.x).toBe(b!.position.x);
    expect(b!.position.y).toBeGreaterThan(a!.position.y);
  });
});

describe('editor store: undo and redo', () => {
  it('undoes and redoes adds, connects, edits and deletes in order', () => {
    const store = storeWith();
    const s = () => store.getState();
    s().selectOnly(['start']);
    s().addNodeAfterSelected('action.http');
    s().updateNodeData('http', { config: { url: 'http://a' } });
    s().deleteSelected();
    expect(s().nodes.map((n) => n.id)).toEqual(['start']);
    s().undo();
    expect(s().nodes.map((n) => n.id)).toEqual(['start', 'http']);
    expect(s().nodes[1]!.data.config).toEqual({ url: 'http://a' });
    expect(edgeList(store)).toEqual(['start->http']);
    s().undo();
    expect(s().nodes[1]!.data.config).toBeUndefined();
    s().undo();
    expect(s().nodes.map((n) => n.id)).toEqual(['start']);
    s().undo(); // nothing left: no-op
    expect(s().nodes.map((n) => n.id)).toEqual(['start']);
    s().redo();
    s().redo();
    expect(s().nodes[1]!.data.config).toEqual({ url: 'http://a' });
    s().redo();
    expect(s().nodes.map((n) => n.id)).toEqual(['start']);
  });

  it('typing in one field is one undo step; a new edit clears redo', () => {
    const store = storeWith();
    const s = () => store.getState();
    s().addNodeAfterSelected('action.http');
    for (const url of ['h', 'ht', 'htt', 'http'])
      s().updateNodeData('http', { config: { url } }, 'http.config.url');
    expect(s().history.past).toHaveLength(2);
    s().undo();
    expect(s().nodes[1]!.data.config).toBeUndefined();
    s().addNodeAfterSelected('transform');
    expect(s().history.future).toHaveLength(0);
  });

  it('a drag is one undo step, recorded when it starts', () => {
    const store = storeWith();
    const s = () => store.getState();
    s().onNodesChange([
      { type: 'position', id: 'start', position: { x: 10, y: 0 }, dragging: true },
    ]);
    s().onNodesChange([
      { type: 'position', id: 'start', position: { x: 20, y: 0 }, dragging: true },
    ]);
    s().onNodesChange([
      { type: 'position', id: 'start', position: { x: 30, y: 5 }, dragging: false },
    ]);
    expect(s().history.past).toHaveLength(1);
    expect(s().dirty).toBe(true);
    s().undo();
    expect(s().nodes[0]!.position).toEqual({ x: 0, y: 0 });
  });

  it('removing a node through React Flow also removes its edges, undoably', () => {
    const store = storeWith();
    const s = () => store.getState();
    s().addNodeAfterSelected('transform');
    s().onNodesChange([{ type: 'remove', id: 'transform' }]);
    expect(s().edges).toEqual([]);
    s().undo();
    expect(edgeList(store)).toEqual(['start->transform']);
  });
});

describe('editor store: connect, rename, copy and paste', () => {
  it('connects ports by dragging, refusing self loops, duplicates and edges into triggers', () => {
    const store = storeWith();
    const s = () => store.getState();
    s().addNode('branch.if', { x: 300, y: 0 });
    s().addNode('transform', { x: 600, y: 0 });
    s().onConnect({ source: 'start', sourceHandle: 'out', target: 'if', targetHandle: 'in' });
    s().onConnect({ source: 'if', sourceHandle: 'false', target: 'transform', targetHandle: 'in' });
    s().onConnect({ source: 'if', sourceHandle: 'false', target: 'transform', targetHandle: 'in' });
    s().onConnect({
      source: 'transform',
      sourceHandle: 'out',
      target: 'transform',
      targetHandle: 'in',
    });
    s().onConnect({
      source: 'transform',
      sourceHandle: 'out',
      target: 'start',
      targetHandle: 'in',
    });
    expect(edgeList(store)).toEqual(['start->if', 'if.false->transform']);
  });

  it('renames a node with its edges and the steps.<id> references to it', () => {
    const store = storeWith();
    const s = () => store.getState();
    s().addNodeAfterSelected('action.http');
    s().addNodeAfterSelected('transform');
    s().updateNodeData('transform', {
      config: { value: { s: '{{ steps.http.body.id }}', t: '{{ steps.http_x }}' } },
    });
    expect(s().renameNode('http', '1bad')).toMatch(/must match/);
    expect(s().renameNode('http', 'start')).toBe('duplicate node id "start"');
    expect(s().renameNode('http', 'fetch')).toBeNull();
    expect(edgeList(store)).toEqual(['start->fetch', 'fetch->transform']);
    expect(s().nodes[2]!.data.config).toEqual({
      value: { s: '{{ steps.fetch.body.id }}', t: '{{ steps.http_x }}' },
    });
  });

  it('copies the selection with its inner edges and pastes it with fresh ids', () => {
    const store = storeWith();
    const s = () => store.getState();
    s().addNodeAfterSelected('action.http');
    s().addNodeAfterSelected('transform');
    s().selectOnly(['http', 'transform']);
    s().copySelected();
    s().paste();
    expect(s().nodes.map((n) => n.id)).toEqual([
      'start',
      'http',
      'transform',
      'http_2',
      'transform_2',
    ]);
    expect(edgeList(store)).toEqual(['start->http', 'http->transform', 'http_2->transform_2']);
    expect(
      s()
        .nodes.filter((n) => n.selected)
        .map((n) => n.id),
    ).toEqual(['http_2', 'transform_2']);
    s().duplicateSelected();
    expect(
      s()
        .nodes.map((n) => n.id)
        .slice(-2),
    ).toEqual(['http_3', 'transform_3']);
  });
});

describe('editor store: undo keeps the current selection', () => {
  it('restores the graph without changing what is selected', () => {
    const store = storeWith();
    const s = () => store.getState();
    s().addNodeAfterSelected('action.http');
    s().selectOnly(['start']);
    s().undo();
    expect(s().nodes.map((n) => [n.id, Boolean(n.selected)])).toEqual([['start', true]]);
    s().redo();
    expect(s().nodes.map((n) => [n.id, Boolean(n.selected)])).toEqual([
      ['start', true],
      ['http', false],
    ]);
  });
});

describe('editor store: live run state', () => {
  it('folds engine events into node statuses, attempts and the final result', () => {
    const store = storeWith();
    const s = () => store.getState();
    s().addNodeAfterSelected('action.http');
    s().startRun({ a: 1 });
    expect(s().run.status).toBe('starting');
    s().runStarted('run-1');
    const at = '2026-01-01T00:00:00.000Z';
    s().applyEvents([
      { type: 'run.started', executionId: 'run-1', at },
      { type: 'step.started', stepId: 'start', attempt: 1, at, input: {} },
      {
        type: 'step.finished',
        stepId: 'start',
        at,
        result: { status: 'success', attempts: 1, output: { a: 1 }, durationMs: 0 },
      },
      { type: 'step.started', stepId: 'http', attempt: 1, at, input: { url: 'http://x' } },
    ]);
    expect(s().run.steps.http).toMatchObject({
      status: 'running',
      attempts: 1,
      input: { url: 'http://x' },
    });
    s().applyEvent({
      type: 'step.retrying',
      stepId: 'http',
      attempt: 2,
      delayMs: 10,
      at,
      error: { code: 'NETWORK', message: 'refused' },
    });
    expect(s().run.steps.http).toMatchObject({
      status: 'running',
      attempts: 2,
      retryError: { code: 'NETWORK' },
    });
    const failed = {
      status: 'failed' as const,
      attempts: 2,
      error: { code: 'NETWORK' as const, message: 'refused' },
      durationMs: 30,
    };
    s().applyEvent({
      type: 'run.finished',
      at,
      result: {
        status: 'failed',
        startedAt: at,
        steps: { start: { status: 'success', attempts: 1, durationMs: 0 }, http: failed },
        error: { step: 'http', code: 'NETWORK', message: 'refused' },
      },
    });
    expect(s().run.status).toBe('failed');
    expect(s().run.steps.http).toMatchObject({ ...failed, input: { url: 'http://x' } });
    expect(s().run.steps.start!.output).toEqual({ a: 1 });
  });
});

import { describe, expect, it } from 'vitest';
import type { Workflow } from '../../../../shared/src/model/workflow';
import { canvasToDocument, documentToCanvas } from './document-conversion';

const scenarioA: Workflow = {
  format: 'maestro/workflow@1',
  name: 'Big orders to CRM',
  description: 'free text',
  settings: { timeoutMs: 900000 },
  nodes: [
    { id: 'order', type: 'trigger.webhook', config: { method: 'POST' }, position: { x: 0, y: 0 } },
    {
      id: 'isBig',
      type: 'branch.if',
      config: { condition: '{{ trigger.body.total > 100 }}' },
      position: { x: 300, y: 0 },
    },
    {
      id: 'notify',
      type: 'action.http',
      name: 'Notify CRM',
      config: {
        method: 'POST',
        url: '{{ env.CRM_URL }}/orders',
        body: { id: '{{ trigger.body.id }}' },
      },
      position: { x: 600, y: 0 },
      retry: { maxAttempts: 3, backoffMs: 200, factor: 2, maxBackoffMs: 60000 },
      timeoutMs: 10000,
      forEach: '{{ trigger.body.items }}',
      concurrency: 4,
    },
  ],
  edges: [
    { from: 'order', to: 'isBig' },
    { from: 'isBig', port: 'true', to: 'notify' },
  ],
};

describe('document ⇄ canvas conversion', () => {
  it('round-trips a document exactly, key order included', () => {
    const back = canvasToDocument(documentToCanvas(scenarioA));
    expect(back).toEqual(scenarioA);
    expect(JSON.stringify(back)).toBe(JSON.stringify(scenarioA));
  });

  it('maps ports to source handles and keeps an explicit "out" port', () => {
    const doc: Workflow = {
      ...scenarioA,
      edges: [{ from: 'order', port: 'out', to: 'isBig' }, scenarioA.edges[1]!],
    };
    const canvas = documentToCanvas(doc);
    expect(canvas.edges.map((e) => [e.source, e.sourceHandle, e.target])).toEqual([
      ['order', 'out', 'isBig'],
      ['isBig', 'true', 'notify'],
    ]);
    expect(canvasToDocument(canvas).edges).toEqual(doc.edges);
  });

  it('lays out nodes that have no position, left to right', () => {
    const doc: Workflow = {
      ...scenarioA,
      nodes: scenarioA.nodes.map(({ position: _p, ...node }) => node),
    };
    const canvas = documentToCanvas(doc);
    const [order, isBig, notify] = canvas.nodes.map((n) => n.position.x);
    expect(order).toBeLessThan(isBig!);
    expect(isBig).toBeLessThan(notify!);
    expect(canvasToDocument(canvas).nodes.every((n) => n.position !== undefined)).toBe(true);
  });

  it('does not share config objects between the canvas and the document', () => {
    const canvas = documentToCanvas(scenarioA);
    (canvas.nodes[2]!.data.config as { method: string }).method = 'PUT';
    expect(scenarioA.nodes[2]!.config!.method).toBe('POST');
  });
});

import type { Workflow } from '../../shared/src/index';

/**
 * Node ids in an order where every node comes after its upstream nodes; ties
 * keep the document order, so the summary reads like the canvas, left to right.
 */
export function topologicalOrder(workflow: Pick<Workflow, 'nodes' | 'edges'>): string[] {
  const ids = workflow.nodes.map((node) => node.id);
  const indegree = new Map(ids.map((id) => [id, 0]));
  const downstream = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const edge of workflow.edges) {
    if (!indegree.has(edge.from) || !indegree.has(edge.to)) continue;
    indegree.set(edge.to, (indegree.get(edge.to) ?? 0) + 1);
    downstream.get(edge.from)?.push(edge.to);
  }
  const order: string[] = [];
  const ready = ids.filter((id) => indegree.get(id) === 0);
  while (ready.length > 0) {
    const id = ready.shift() as string;
    order.push(id);
    for (const next of downstream.get(id) ?? []) {
      const left = (indegree.get(next) ?? 0) - 1;
      indegree.set(next, left);
      if (left === 0) insertInDocumentOrder(ready, next, ids);
    }
  }
  // A valid workflow has no cycle; anything left over is listed last rather than lost.
  return [...order, ...ids.filter((id) => !order.includes(id))];
}

function insertInDocumentOrder(ready: string[], id: string, ids: string[]): void {
  const rank = ids.indexOf(id);
  const at = ready.findIndex((other) => ids.indexOf(other) > rank);
  if (at < 0) ready.push(id);
  else ready.splice(at, 0, id);
}

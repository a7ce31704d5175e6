import dagre from '@dagrejs/dagre';
import type { StepEdge, StepNode } from './canvas-types';

export const NODE_WIDTH = 240;
export const NODE_HEIGHT = 76;

/**
 * Lays the graph out left to right with dagre. Returns new node objects with
 * top-left positions (dagre gives centres); edges are untouched.
 */
export function layoutLeftToRight(nodes: StepNode[], edges: StepEdge[]): StepNode[] {
  const graph = new dagre.graphlib.Graph();
  graph.setGraph({ rankdir: 'LR', nodesep: 40, ranksep: 80, marginx: 20, marginy: 20 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const node of nodes) {
    graph.setNode(node.id, {
      width: node.measured?.width ?? NODE_WIDTH,
      height: node.measured?.height ?? NODE_HEIGHT,
    });
  }
  for (const edge of edges) {
    if (graph.hasNode(edge.source) && graph.hasNode(edge.target))
      graph.setEdge(edge.source, edge.target);
  }
  dagre.layout(graph);
  return nodes.map((node) => {
    const placed = graph.node(node.id);
    const width = node.measured?.width ?? NODE_WIDTH;
    const height = node.measured?.height ?? NODE_HEIGHT;
    return {
      ...node,
      position: { x: Math.round(placed.x - width / 2), y: Math.round(placed.y - height / 2) },
    };
  });
}

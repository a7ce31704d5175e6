/**
 * The ONE place where the canvas (React Flow nodes and edges) and the
 * workflow v1 document are converted into each other. Positions travel in
 * each node's `position`; a document without positions is laid out.
 */
import { WORKFLOW_FORMAT } from '../../../../shared/src/model/workflow';
import type { Workflow, WorkflowEdge, WorkflowNode } from '../../../../shared/src/model/workflow';
import { layoutLeftToRight } from './auto-layout';
import type { StepEdge, StepNode, StepNodeData, WorkflowMeta } from './canvas-types';
import { DEFAULT_PORT, INPUT_HANDLE, NODE_DATA_KEYS } from './canvas-types';

export interface CanvasState {
  meta: WorkflowMeta;
  nodes: StepNode[];
  edges: StepEdge[];
}

/** A stable edge id: one edge per (source, port, target). */
export function edgeId(source: string, port: string, target: string): string {
  return `${source}:${port}->${target}`;
}

export function makeEdge(
  source: string,
  port: string,
  target: string,
  explicitPort = port !== DEFAULT_PORT,
): StepEdge {
  return {
    id: edgeId(source, port, target),
    source,
    target,
    sourceHandle: port,
    targetHandle: INPUT_HANDLE,
    data: { explicitPort },
  };
}

function nodeToCanvas(node: WorkflowNode): StepNode {
  const data: StepNodeData = { nodeType: node.type };
  for (const key of NODE_DATA_KEYS) {
    if (node[key] !== undefined)
      (data as Record<string, unknown>)[key] = structuredClone(node[key]);
  }
  return { id: node.id, type: 'step', position: node.position ?? { x: 0, y: 0 }, data };
}

/** Document → canvas. Nodes without a position are placed by auto-layout. */
export function documentToCanvas(doc: Workflow): CanvasState {
  // Drafts may be saved invalid: tolerate missing lists rather than crash the editor.
  const nodes = (doc.nodes ?? []).map(nodeToCanvas);
  const edges = (doc.edges ?? []).map((edge) =>
    makeEdge(edge.from, edge.port ?? DEFAULT_PORT, edge.to, edge.port !== undefined),
  );
  const needsLayout =
    nodes.length > 0 && (doc.nodes ?? []).some((node) => node.position === undefined);
  const meta: WorkflowMeta = { name: doc.name };
  if (doc.description !== undefined) meta.description = doc.description;
  if (doc.settings !== undefined) meta.settings = structuredClone(doc.settings);
  return { meta, nodes: needsLayout ? layoutLeftToRight(nodes, edges) : nodes, edges };
}

function nodeToDocument(node: StepNode): WorkflowNode {
  const out: WorkflowNode = { id: node.id, type: node.data.nodeType };
  for (const key of NODE_DATA_KEYS) {
    const value = node.data[key];
    if (value !== undefined) (out as Record<string, unknown>)[key] = structuredClone(value);
    // Canonical key order, as in the spec's example: id, type, name, config, position, settings.
    if (key === 'config')
      out.position = { x: Math.round(node.position.x), y: Math.round(node.position.y) };
  }
  return out;
}

function edgeToDocument(edge: StepEdge): WorkflowEdge {
  const port = edge.sourceHandle ?? DEFAULT_PORT;
  const explicit = port !== DEFAULT_PORT || edge.data?.explicitPort === true;
  return explicit
    ? { from: edge.source, port, to: edge.target }
    : { from: edge.source, to: edge.target };
}

/** Canvas → document (what is saved, validated, exported and dry-run). */
export function canvasToDocument(state: CanvasState): Workflow {
  // Built in the key order of the spec's example, so exported files read naturally.
  return {
    format: WORKFLOW_FORMAT,
    name: state.meta.name,
    ...(state.meta.description !== undefined ? { description: state.meta.description } : {}),
    ...(state.meta.settings !== undefined
      ? { settings: structuredClone(state.meta.settings) }
      : {}),
    nodes: state.nodes.map(nodeToDocument),
    edges: state.edges.map(edgeToDocument),
  };
}

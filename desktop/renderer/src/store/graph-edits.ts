/**
 * Pure graph edits behind the store's actions: new ids, "add after the
 * selected node", copy/paste, rename. No React, no zustand: unit-tested alone.
 */
import { NODE_ID_PATTERN } from '../../../../shared/src/model/workflow';
import { isTriggerType, portsOf } from '../catalog/node-catalog';
import { NODE_HEIGHT, NODE_WIDTH } from './auto-layout';
import type { StepEdge, StepNode } from './canvas-types';
import { DEFAULT_PORT } from './canvas-types';
import { edgeId, makeEdge } from './document-conversion';

const HORIZONTAL_GAP = NODE_WIDTH + 80;
const VERTICAL_GAP = NODE_HEIGHT + 40;

/** `action.http` → `http`, `code.js` → `code`, `csv.parse` → `csv_parse`. */
export function idBaseForType(type: string): string {
  const [prefix = 'step', suffix] = type.split('.');
  const generic = ['trigger', 'action', 'branch', 'flow'];
  let base =
    suffix === undefined
      ? prefix
      : generic.includes(prefix)
        ? suffix
        : prefix === 'code'
          ? 'code'
          : `${prefix}_${suffix}`;
  base = base.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z_]/.test(base) ? base : `n_${base}`;
}

export function uniqueId(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let n = 2; ; n += 1) if (!taken.has(`${base}_${n}`)) return `${base}_${n}`;
}

export function createStepNode(
  type: string,
  id: string,
  position: { x: number; y: number },
): StepNode {
  return { id, type: 'step', position, data: { nodeType: type }, selected: true };
}

/** A free spot right of `anchor`, moving down past nodes already there. */
function positionAfter(anchor: StepNode, nodes: StepNode[]): { x: number; y: number } {
  const x = anchor.position.x + HORIZONTAL_GAP;
  let y = anchor.position.y;
  const occupied = (py: number) =>
    nodes.some(
      (n) => Math.abs(n.position.x - x) < NODE_WIDTH && Math.abs(n.position.y - py) < NODE_HEIGHT,
    );
  while (occupied(y)) y += VERTICAL_GAP;
  return { x, y };
}

/** The node new steps attach to: the single selected one, else the last sink. */
export function findAnchor(nodes: StepNode[], edges: StepEdge[]): StepNode | undefined {
  const selected = nodes.filter((n) => n.selected);
  if (selected.length === 1) return selected[0];
  const sources = new Set(edges.map((e) => e.source));
  const sinks = nodes.filter((n) => !sources.has(n.id) && portsOf(n.data.nodeType).length > 0);
  return sinks.at(-1) ?? nodes.at(-1);
}

/**
 * Adds a node of `type` after the anchor (see findAnchor), connected from the
 * anchor's first port, and makes it the only selected node.
 */
export function addAfter(
  nodes: StepNode[],
  edges: StepEdge[],
  type: string,
): { nodes: StepNode[]; edges: StepEdge[]; id: string } {
  const anchor = findAnchor(nodes, edges);
  const id = uniqueId(idBaseForType(type), new Set(nodes.map((n) => n.id)));
  const position = anchor ? positionAfter(anchor, nodes) : { x: 0, y: 0 };
  const node = createStepNode(type, id, position);
  const deselected = nodes.map((n) => (n.selected ? { ...n, selected: false } : n));
  const port = anchor ? portsOf(anchor.data.nodeType)[0] : undefined;
  const canConnect = anchor !== undefined && port !== undefined && !isTriggerType(type);
  return {
    nodes: [...deselected, node],
    edges: canConnect ? [...edges, makeEdge(anchor.id, port, id)] : edges,
    id,
  };
}

export interface Clip {
  nodes: StepNode[];
  edges: StepEdge[];
}

/** The selected nodes and the edges between them. */
export function copySelection(nodes: StepNode[], edges: StepEdge[]): Clip | null {
  const picked = nodes.filter((n) => n.selected);
  if (picked.length === 0) return null;
  const ids = new Set(picked.map((n) => n.id));
  return {
    nodes: structuredClone(picked),
    edges: structuredClone(edges.filter((e) => ids.has(e.source) && ids.has(e.target))),
  };
}

/** Pastes a clip with fresh ids, offset so that copies do not hide the originals. */
export function pasteClip(
  nodes: StepNode[],
  edges: StepEdge[],
  clip: Clip,
  offset = 40,
): { nodes: StepNode[]; edges: StepEdge[] } {
  const taken = new Set(nodes.map((n) => n.id));
  const renamed = new Map<string, string>();
  const pasted = clip.nodes.map((n) => {
    const id = uniqueId(n.id.replace(/_\d+$/, ''), taken);
    taken.add(id);
    renamed.set(n.id, id);
    const { measured: _measured, ...rest } = structuredClone(n);
    return {
      ...rest,
      id,
      selected: true,
      position: { x: n.position.x + offset, y: n.position.y + offset },
    };
  });
  const pastedEdges = clip.edges.map((e) => {
    const port = e.sourceHandle ?? DEFAULT_PORT;
    return makeEdge(
      renamed.get(e.source)!,
      port,
      renamed.get(e.target)!,
      e.data?.explicitPort ?? false,
    );
  });
  return {
    nodes: [...nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), ...pasted],
    edges: [...edges, ...pastedEdges],
  };
}

/** Why `newId` cannot replace `oldId`, or null when it can. */
export function checkRename(nodes: StepNode[], oldId: string, newId: string): string | null {
  if (!NODE_ID_PATTERN.test(newId)) return 'must match ^[A-Za-z_][A-Za-z0-9_]*$';
  if (newId !== oldId && nodes.some((n) => n.id === newId)) return `duplicate node id "${newId}"`;
  return null;
}

/** Rewrites `steps.old` references inside every string of a config tree. */
function rewriteReferences(value: unknown, oldId: string, newId: string): unknown {
  if (typeof value === 'string') {
    return value.replace(new RegExp(`\\bsteps\\.${oldId}\\b`, 'g'), `steps.${newId}`);
  }
  if (Array.isArray(value)) return value.map((v) => rewriteReferences(v, oldId, newId));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, rewriteReferences(v, oldId, newId)]),
    );
  }
  return value;
}

/** Renames a node, its edges and the `steps.<id>` references to it. */
export function renameNode(
  nodes: StepNode[],
  edges: StepEdge[],
  oldId: string,
  newId: string,
): { nodes: StepNode[]; edges: StepEdge[] } {
  return {
    nodes: nodes.map((n) => {
      const data = { ...n.data };
      if (data.config)
        data.config = rewriteReferences(data.config, oldId, newId) as Record<string, unknown>;
      if (data.forEach) data.forEach = rewriteReferences(data.forEach, oldId, newId) as string;
      return { ...n, id: n.id === oldId ? newId : n.id, data };
    }),
    edges: edges.map((e) => {
      if (e.source !== oldId && e.target !== oldId) return e;
      const source = e.source === oldId ? newId : e.source;
      const target = e.target === oldId ? newId : e.target;
      return { ...e, source, target, id: edgeId(source, e.sourceHandle ?? DEFAULT_PORT, target) };
    }),
  };
}

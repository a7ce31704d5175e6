/**
 * The editor's one zustand store. Its actions ARE React Flow's handlers
 * (onNodesChange, onEdgesChange, onConnect), so the canvas is controlled by
 * it; components read it with `useShallow`. Undo history and the live
 * dry-run state live here too.
 */
import type { Connection, EdgeChange, NodeChange } from '@xyflow/react';
import { applyEdgeChanges, applyNodeChanges } from '@xyflow/react';
import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';
import type { EngineEvent } from '../../../../shared/src/engine/events';
import type { Workflow } from '../../../../shared/src/model/workflow';
import { isTriggerType } from '../catalog/node-catalog';
import { layoutLeftToRight } from './auto-layout';
import type { StepEdge, StepNode, StepNodeData, WorkflowMeta } from './canvas-types';
import { DEFAULT_PORT } from './canvas-types';
import { canvasToDocument, documentToCanvas, makeEdge } from './document-conversion';
import type { Clip } from './graph-edits';
import {
  addAfter,
  checkRename,
  copySelection,
  createStepNode,
  idBaseForType,
  pasteClip,
  renameNode,
  uniqueId,
} from './graph-edits';
import type { History, Snapshot } from './history';
import { EMPTY_HISTORY, record, redo, undo } from './history';
import type { RunState } from './run-state';
import { applyEngineEvent, IDLE_RUN } from './run-state';

export interface EditorState {
  workflowId: string | null;
  version: number | null;
  meta: WorkflowMeta;
  nodes: StepNode[];
  edges: StepEdge[];
  dirty: boolean;
  history: History;
  dragging: boolean;
  clipboard: Clip | null;
  run: RunState;

  onNodesChange: (changes: NodeChange<StepNode>[]) => void;
  onEdgesChange: (changes: EdgeChange<StepEdge>[]) => void;
  onConnect: (connection: Connection) => void;

  loadWorkflow: (id: string, version: number, doc: Workflow) => void;
  closeWorkflow: () => void;
  toDocument: () => Workflow;
  markSaved: (version: number) => void;
  setMeta: (patch: Partial<WorkflowMeta>) => void;

  addNode: (type: string, position: { x: number; y: number }) => string;
  addNodeAfterSelected: (type: string) => string;
  connectNodes: (source: string, port: string, target: string) => void;
  disconnectEdge: (edgeId: string) => void;
  updateNodeData: (id: string, patch: Partial<StepNodeData>, coalesceKey?: string) => void;
  renameNode: (oldId: string, newId: string) => string | null;
  selectOnly: (ids: string[]) => void;
  deleteSelected: () => void;
  copySelected: () => void;
  paste: () => void;
  duplicateSelected: () => void;
  autoLayout: () => void;
  undo: () => void;
  redo: () => void;

  startRun: (input: unknown) => void;
  runStarted: (runId: string) => void;
  applyEvent: (event: EngineEvent) => void;
  /** Folds a burst of events (a late subscriber's replay) into one store update. */
  applyEvents: (events: EngineEvent[]) => void;
  runProblem: (message: string) => void;
  clearRun: () => void;
  showRun: (run: RunState) => void;
}

const BLANK_META: WorkflowMeta = { name: 'Untitled workflow' };

export function createEditorStore() {
  return createStore<EditorState>()((set, get) => {
    const snapshot = (): Snapshot => {
      const { meta, nodes, edges } = get();
      return { meta, nodes, edges };
    };
    /** Applies a graph edit as one undo step. */
    const commit = (patch: Partial<Snapshot>, coalesceKey?: string) =>
      set({ ...patch, history: record(get().history, snapshot(), coalesceKey), dirty: true });
    /** Undo/redo restore the graph but keep what the user has selected now. */
    const restore = (step: { history: History; snapshot: Snapshot } | null) => {
      if (!step) return;
      const selected = new Set(
        get()
          .nodes.filter((n) => n.selected)
          .map((n) => n.id),
      );
      const nodes = step.snapshot.nodes.map((n) =>
        Boolean(n.selected) === selected.has(n.id) ? n : { ...n, selected: selected.has(n.id) },
      );
      set({ ...step.snapshot, nodes, history: step.history, dirty: true });
    };

    return {
      workflowId: null,
      version: null,
      meta: BLANK_META,
      nodes: [],
      edges: [],
      dirty: false,
      history: EMPTY_HISTORY,
      dragging: false,
      clipboard: null,
      run: IDLE_RUN,

      onNodesChange: (changes) => {
        const state = get();
        const removes = changes.some((c) => c.type === 'remove');
        const dragStart =
          !state.dragging && changes.some((c) => c.type === 'position' && c.dragging);
        const dragEnd = state.dragging && changes.some((c) => c.type === 'position' && !c.dragging);
        const moved = changes.some(
          (c) => c.type === 'position' || c.type === 'add' || c.type === 'replace',
        );
        const nodes = applyNodeChanges(changes, state.nodes);
        if (removes) {
          const ids = new Set(nodes.map((n) => n.id));
          const edges = state.edges.filter((e) => ids.has(e.source) && ids.has(e.target));
          commit({ nodes, edges });
        } else if (dragStart) {
          set({ nodes, dragging: true, history: record(state.history, snapshot()), dirty: true });
        } else {
          set({ nodes, dragging: dragEnd ? false : state.dragging, dirty: state.dirty || moved });
        }
      },
      onEdgesChange: (changes) => {
        const edges = applyEdgeChanges(changes, get().edges);
        if (changes.some((c) => c.type === 'remove')) commit({ edges });
        else set({ edges });
      },
      onConnect: ({ source, sourceHandle, target }) =>
        get().connectNodes(source, sourceHandle ?? DEFAULT_PORT, target),

      loadWorkflow: (id, version, doc) => {
        const canvas = documentToCanvas(doc);
        set({
          workflowId: id,
          version,
          ...canvas,
          dirty: false,
          history: EMPTY_HISTORY,
          clipboard: get().clipboard,
          run: IDLE_RUN,
        });
      },
      closeWorkflow: () =>
        set({
          workflowId: null,
          version: null,
          meta: BLANK_META,
          nodes: [],
          edges: [],
          dirty: false,
          history: EMPTY_HISTORY,
          run: IDLE_RUN,
        }),
      toDocument: () => canvasToDocument(snapshot()),
      markSaved: (version) => set({ version, dirty: false }),
      setMeta: (patch) =>
        commit({ meta: { ...get().meta, ...patch } }, `meta.${Object.keys(patch).join(',')}`),

      addNode: (type, position) => {
        const { nodes } = get();
        const id = uniqueId(idBaseForType(type), new Set(nodes.map((n) => n.id)));
        const deselected = nodes.map((n) => (n.selected ? { ...n, selected: false } : n));
        commit({ nodes: [...deselected, createStepNode(type, id, position)] });
        return id;
      },
      addNodeAfterSelected: (type) => {
        const { nodes, edges, id } = addAfter(get().nodes, get().edges, type);
        commit({ nodes, edges });
        return id;
      },
      connectNodes: (source, port, target) => {
        const { nodes, edges } = get();
        const targetNode = nodes.find((n) => n.id === target);
        if (source === target || !targetNode || isTriggerType(targetNode.data.nodeType)) return;
        const edge = makeEdge(source, port, target);
        if (edges.some((e) => e.id === edge.id)) return;
        commit({ edges: [...edges, edge] });
      },
      disconnectEdge: (edgeId) => commit({ edges: get().edges.filter((e) => e.id !== edgeId) }),
      updateNodeData: (id, patch, coalesceKey) => {
        const nodes = get().nodes.map((n) => {
          if (n.id !== id) return n;
          const data: StepNodeData = { ...n.data, ...patch };
          // `undefined` means "remove the key" so the document stays minimal.
          for (const key of Object.keys(patch) as (keyof StepNodeData)[])
            if (patch[key] === undefined) delete data[key];
          return { ...n, data };
        });
        commit({ nodes }, coalesceKey ?? `${id}.${Object.keys(patch).join(',')}`);
      },
      renameNode: (oldId, newId) => {
        const problem = checkRename(get().nodes, oldId, newId);
        if (problem || oldId === newId) return problem;
        commit(renameNode(get().nodes, get().edges, oldId, newId));
        return null;
      },
      selectOnly: (ids) => {
        const wanted = new Set(ids);
        set({
          nodes: get().nodes.map((n) =>
            Boolean(n.selected) === wanted.has(n.id) ? n : { ...n, selected: wanted.has(n.id) },
          ),
          edges: get().edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
        });
      },
      deleteSelected: () => {
        const { nodes, edges } = get();
        const gone = new Set(nodes.filter((n) => n.selected).map((n) => n.id));
        if (gone.size === 0 && !edges.some((e) => e.selected)) return;
        commit({
          nodes: nodes.filter((n) => !gone.has(n.id)),
          edges: edges.filter((e) => !e.selected && !gone.has(e.source) && !gone.has(e.target)),
        });
      },
      copySelected: () => {
        const clip = copySelection(get().nodes, get().edges);
        if (clip) set({ clipboard: clip });
      },
      paste: () => {
        const { clipboard } = get();
        if (clipboard) commit(pasteClip(get().nodes, get().edges, clipboard));
      },
      duplicateSelected: () => {
        const clip = copySelection(get().nodes, get().edges);
        if (clip) commit(pasteClip(get().nodes, get().edges, clip));
      },
      autoLayout: () => commit({ nodes: layoutLeftToRight(get().nodes, get().edges) }),
      undo: () => restore(undo(get().history, snapshot())),
      redo: () => restore(redo(get().history, snapshot())),

      startRun: (input) => set({ run: { ...IDLE_RUN, status: 'starting', input } }),
      runStarted: (runId) => set({ run: { ...get().run, runId } }),
      applyEvent: (event) => set({ run: applyEngineEvent(get().run, event) }),
      applyEvents: (events) => set({ run: events.reduce(applyEngineEvent, get().run) }),
      runProblem: (message) => set({ run: { ...get().run, status: 'failed', problem: message } }),
      clearRun: () => set({ run: IDLE_RUN }),
      showRun: (run) => set({ run }),
    };
  });
}

export type EditorStore = ReturnType<typeof createEditorStore>;

/** The app's store; tests create their own with createEditorStore(). */
export const editorStore = createEditorStore();

export function useEditor<T>(selector: (state: EditorState) => T): T {
  return useStore(editorStore, selector);
}

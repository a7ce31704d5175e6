import type { IsValidConnection, NodeTypes } from '@xyflow/react';
import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  useNodesInitialized,
  useReactFlow,
} from '@xyflow/react';
import type { DragEvent } from 'react';
import { useCallback, useEffect, useMemo, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { getNodeType, isTriggerType } from '../catalog/node-catalog';
import type { StepEdge, StepNode } from '../store/canvas-types';
import { useTheme } from '../shell/theme';
import { editorStore, useEditor } from '../store/editor-store';
import { StepNodeComponent } from './step-node';

export const NODE_TYPE_MIME = 'application/x-maestro-node-type';

const nodeTypes: NodeTypes = { step: StepNodeComponent };

const isValidConnection: IsValidConnection<StepEdge> = (connection) => {
  if (connection.source === connection.target) return false;
  const target = editorStore.getState().nodes.find((n) => n.id === connection.target);
  return target !== undefined && !isTriggerType(target.data.nodeType);
};

const minimapColor = (node: StepNode) => {
  const status = editorStore.getState().run.steps[node.id]?.status;
  if (status === 'success') return 'var(--success)';
  if (status === 'failed') return 'var(--danger)';
  if (status === 'running') return 'var(--running)';
  return 'var(--border-strong)';
};

export function WorkflowCanvas() {
  const { nodes, edges, onNodesChange, onEdgesChange, onConnect, portsKey } = useEditor(
    useShallow((s) => ({
      nodes: s.nodes,
      edges: s.edges,
      onNodesChange: s.onNodesChange,
      onEdgesChange: s.onEdgesChange,
      onConnect: s.onConnect,
      // Only which ports the run took (and what runs) restyles edges; other run events don't re-render the canvas.
      portsKey: Object.entries(s.run.steps)
        .map(([id, step]) => `${id}:${step.port ?? ''}:${step.status === 'running' ? 'r' : ''}`)
        .join('|'),
    })),
  );
  const { screenToFlowPosition, fitView } = useReactFlow();
  const workflowId = useEditor((s) => s.workflowId);
  const colorMode = useTheme((s) => s.colorMode);
  const initialized = useNodesInitialized();
  // Each opened workflow starts fully in view, once its nodes have been measured
  // (only then: adding a node later must not move the view under the user).
  const fittedFor = useRef<string | null>(null);
  useEffect(() => {
    if (!initialized || fittedFor.current === workflowId) return;
    fittedFor.current = workflowId;
    void fitView({ padding: 0.2, maxZoom: 1.1 });
  }, [workflowId, initialized, fitView]);

  // Screen readers hear "HTTP request http" when a node gets focus, then its badge text.
  // Keyed on nodes only, so that live run events leave React Flow's node list alone.
  const labelled = useMemo(
    () =>
      nodes.map((node) => {
        const title = getNodeType(node.data.nodeType)?.title ?? node.data.nodeType;
        return { ...node, ariaLabel: `${title} ${node.id}` };
      }),
    [nodes],
  );
  // Edges of the live run light up along the taken ports.
  const styledEdges = useMemo(() => {
    const run = editorStore.getState().run;
    void portsKey;
    return edges.map((edge) => {
      const source = run.steps[edge.source];
      const taken = source?.port !== undefined && source.port === (edge.sourceHandle ?? 'out');
      return {
        ...edge,
        animated: taken && run.steps[edge.target]?.status === 'running',
        className: taken ? 'edge-taken' : undefined,
        label: edge.sourceHandle !== 'out' ? (edge.sourceHandle ?? undefined) : undefined,
      };
    });
  }, [edges, portsKey]);

  const onDragOver = useCallback((event: DragEvent) => {
    if (!event.dataTransfer.types.includes(NODE_TYPE_MIME)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
  }, []);

  const onDrop = useCallback(
    (event: DragEvent) => {
      const type = event.dataTransfer.getData(NODE_TYPE_MIME);
      if (!type) return;
      event.preventDefault();
      const point = screenToFlowPosition({ x: event.clientX, y: event.clientY });
      editorStore.getState().addNode(type, { x: point.x - 120, y: point.y - 30 });
    },
    [screenToFlowPosition],
  );

  return (
    <div className="canvas" onDragOver={onDragOver} onDrop={onDrop} data-testid="canvas">
      <ReactFlow<StepNode, StepEdge>
        nodes={labelled}
        edges={styledEdges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        isValidConnection={isValidConnection}
        nodesFocusable
        edgesFocusable
        fitView
        fitViewOptions={{ maxZoom: 1.2, padding: 0.2 }}
        minZoom={0.2}
        deleteKeyCode={['Delete', 'Backspace']}
        multiSelectionKeyCode={['Shift', 'Meta', 'Control']}
        defaultEdgeOptions={{ type: 'smoothstep' }}
        aria-label="Workflow canvas"
        colorMode={colorMode}
      >
        <Background gap={20} />
        <Controls showInteractive={false} aria-label="Zoom controls" />
        <MiniMap<StepNode>
          pannable
          zoomable
          nodeColor={minimapColor}
          ariaLabel="Minimap"
          style={{ width: 150, height: 96 }}
        />
      </ReactFlow>
    </div>
  );
}

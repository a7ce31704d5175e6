import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { isTriggerType, portsOf } from '../catalog/node-catalog';
import type { StepNode } from '../store/canvas-types';
import { editorStore, useEditor } from '../store/editor-store';

/** The keyboard way to wire the graph: "Connect <port> to…" plus the outgoing edges with remove. */
export function ConnectionsEditor({ node }: { node: StepNode }) {
  const { nodes, edges } = useEditor(useShallow((s) => ({ nodes: s.nodes, edges: s.edges })));
  const ports = portsOf(node.data.nodeType);
  const [port, setPort] = useState(ports[0] ?? 'out');
  const outgoing = edges.filter((e) => e.source === node.id);
  const targets = nodes.filter(
    (n) =>
      n.id !== node.id &&
      !isTriggerType(n.data.nodeType) &&
      !outgoing.some((e) => e.target === n.id && e.sourceHandle === port),
  );
  if (ports.length === 0)
    return <p className="muted">This step ends the run: it has no outputs.</p>;
  return (
    <div className="connections-editor">
      <ul className="edge-list" aria-label={`Connections from ${node.id}`}>
        {outgoing.map((edge) => (
          <li key={edge.id}>
            <span>
              <code>{edge.sourceHandle}</code> → <code>{edge.target}</code>
            </span>
            <button
              type="button"
              className="icon-btn"
              aria-label={`Remove connection ${edge.sourceHandle} to ${edge.target}`}
              onClick={() => editorStore.getState().disconnectEdge(edge.id)}
            >
              ×
            </button>
          </li>
        ))}
        {outgoing.length === 0 && <li className="muted">No outgoing connection.</li>}
      </ul>
      <div className="connect-row">
        {ports.length > 1 && (
          <select
            className="input"
            aria-label="Output port"
            value={port}
            onChange={(e) => setPort(e.target.value)}
          >
            {ports.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        )}
        <select
          className="input"
          aria-label={`Connect ${port} to…`}
          value=""
          onChange={(e) => {
            if (e.target.value) editorStore.getState().connectNodes(node.id, port, e.target.value);
          }}
        >
          <option value="">Connect {port} to…</option>
          {targets.map((n) => (
            <option key={n.id} value={n.id}>
              {n.id}
            </option>
          ))}
        </select>
      </div>
    </div>
  );
}

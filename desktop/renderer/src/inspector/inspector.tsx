import { useEffect, useMemo, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { RouterOutputs } from '../api/trpc-client';
import { api } from '../api/trpc-client';
import { getNodeType } from '../catalog/node-catalog';
import type { StepNode } from '../store/canvas-types';
import { editorStore, useEditor } from '../store/editor-store';
import { TextField } from '../ui/field';
import { useIssues } from '../validation/validation-store';
import { ConfigField } from './config-field';
import { ConnectionsEditor } from './connections-editor';
import { ProblemsList } from './problems-list';
import { useSampleContext } from './sample-context';
import { fieldsForSchema, writePath } from './schema-fields';
import { StepSettings } from './step-settings';
import { WorkflowSettings } from './workflow-settings';

function useConnections(): RouterOutputs['connections']['list'] {
  const [connections, setConnections] = useState<RouterOutputs['connections']['list']>([]);
  useEffect(() => {
    api.connections.list.query().then(setConnections, () => setConnections([]));
  }, []);
  return connections;
}

function IdField({ node }: { node: StepNode }) {
  const [draft, setDraft] = useState(node.id);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    setDraft(node.id);
    setProblem(null);
  }, [node.id]);
  const commit = () => setProblem(editorStore.getState().renameNode(node.id, draft.trim()));
  return (
    <TextField
      id="inspector-node-id"
      label={
        <>
          Step id (used as <code>steps.{node.id}</code>)
        </>
      }
      errors={problem}
      inputClassName="mono"
      value={draft}
      onChange={(e) => setDraft(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === 'Enter') commit();
      }}
    />
  );
}

function NodeInspector({ node }: { node: StepNode }) {
  const issues = useIssues();
  const context = useSampleContext(node.id);
  const connections = useConnections();
  const info = getNodeType(node.data.nodeType);
  const fields = useMemo(
    () => (info ? fieldsForSchema(info.type, info.configJsonSchema) : []),
    [info],
  );
  const nodeIssues = issues.filter((i) => i.nodeId === node.id);
  const onConfigChange = (path: string[], value: unknown) =>
    editorStore
      .getState()
      .updateNodeData(
        node.id,
        { config: writePath(node.data.config, path, value) },
        `${node.id}.config.${path.join('.')}`,
      );

  return (
    <div className="inspector-body" key={node.id}>
      <header className="inspector-head">
        <h2 className="panel-title">{info?.title ?? node.data.nodeType}</h2>
        <p className="muted small">
          {info?.description ?? `Unknown node type “${node.data.nodeType}”.`}
        </p>
      </header>
      <IdField node={node} />
      <TextField
        id="inspector-node-name"
        label="Display name"
        value={node.data.name ?? ''}
        placeholder={info?.title}
        onChange={(e) =>
          editorStore.getState().updateNodeData(node.id, { name: e.target.value || undefined })
        }
      />
      {fields.length > 0 && (
        <section aria-label="Configuration" className="config-fields">
          <h3 className="section-title">Configuration</h3>
          {fields.map((field) => (
            <ConfigField
              key={field.path.join('.')}
              nodeId={node.id}
              field={field}
              config={node.data.config}
              onChange={onConfigChange}
              issues={issues}
              context={context}
              connections={connections}
            />
          ))}
        </section>
      )}
      <StepSettings node={node} issues={issues} context={context} />
      <section aria-label="Connections">
        <h3 className="section-title">Connections</h3>
        <ConnectionsEditor node={node} />
      </section>
      <ProblemsList issues={nodeIssues} title="Problems in this step" />
    </div>
  );
}

/** The right-hand panel: the selected step's form, or the workflow's settings and problems. */
export function Inspector() {
  const { selected, open } = useEditor(
    useShallow((s) => {
      const picked = s.nodes.filter((n) => n.selected);
      return { selected: picked.length === 1 ? picked[0] : undefined, open: s.workflowId !== null };
    }),
  );
  const issues = useIssues();
  if (!open) return null;
  return (
    <aside className="inspector" aria-label="Inspector">
      {selected ? (
        <NodeInspector node={selected} />
      ) : (
        <div className="inspector-body">
          <WorkflowSettings />
          <ProblemsList issues={issues} title="Problems" />
        </div>
      )}
    </aside>
  );
}

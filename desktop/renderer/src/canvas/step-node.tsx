import type { NodeProps } from '@xyflow/react';
import { Handle, NodeToolbar, Position } from '@xyflow/react';
import { memo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { getNodeType, isTriggerType, portsOf } from '../catalog/node-catalog';
import { glyphFor } from '../catalog/node-appearance';
import type { StepNode } from '../store/canvas-types';
import { INPUT_HANDLE } from '../store/canvas-types';
import { editorStore, useEditor } from '../store/editor-store';
import type { StepRunView } from '../store/run-state';
import { useIssueCount } from '../validation/validation-store';

function RunBadge({ step }: { step: StepRunView | undefined }) {
  if (!step) return null;
  const attempts = step.attempts > 1 ? ` ×${step.attempts}` : '';
  const reason = step.error
    ? `${step.error.code}: ${step.error.message}`
    : step.retryError
      ? `retrying after ${step.retryError.message}`
      : undefined;
  const label = `${step.status}${attempts}`;
  return (
    <span
      className={`badge badge-${step.status}`}
      title={reason ?? label}
      data-testid="run-badge"
      data-status={step.status}
    >
      {step.status === 'running' && <span className="spinner" aria-hidden="true" />}
      <span>{label}</span>
      {reason && <span className="visually-hidden">: {reason}</span>}
    </span>
  );
}

function StepNodeView({ id, data, selected }: NodeProps<StepNode>) {
  const step = useEditor(useShallow((s) => s.run.steps[id]));
  const issueCount = useIssueCount(id);
  const info = getNodeType(data.nodeType);
  const ports = portsOf(data.nodeType);
  const category = info?.category ?? 'unknown';
  return (
    <div
      className={`step-node category-${category}${selected ? ' is-selected' : ''}`}
      data-testid={`node-${id}`}
    >
      <NodeToolbar position={Position.Top} className="node-toolbar">
        <button
          type="button"
          className="btn btn-small"
          onClick={() => editorStore.getState().duplicateSelected()}
        >
          Duplicate
        </button>
        <button
          type="button"
          className="btn btn-small btn-danger"
          onClick={() => editorStore.getState().deleteSelected()}
        >
          Delete
        </button>
      </NodeToolbar>
      {!isTriggerType(data.nodeType) && (
        <Handle
          type="target"
          position={Position.Left}
          id={INPUT_HANDLE}
          className="handle handle-in"
        />
      )}
      <div className="step-node-head">
        <span className="step-glyph" aria-hidden="true">
          {glyphFor(data.nodeType)}
        </span>
        <span className="step-title">{data.name ?? info?.title ?? data.nodeType}</span>
        <RunBadge step={step} />
      </div>
      <div className="step-node-sub">
        <code className="step-id">{id}</code>
        {issueCount > 0 && (
          <span className="issue-dot" title={`${issueCount} problem${issueCount === 1 ? '' : 's'}`}>
            {issueCount} ⚠
          </span>
        )}
      </div>
      <div className="step-ports">
        {ports.map((port) => (
          <div key={port} className={`port-row port-${port}`}>
            <span className="port-label">{port}</span>
            <Handle
              type="source"
              position={Position.Right}
              id={port}
              className={`handle handle-out handle-${port}`}
            />
          </div>
        ))}
      </div>
    </div>
  );
}

export const StepNodeComponent = memo(StepNodeView);

import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { RouterOutputs } from '../api/trpc-client';
import { api, errorMessage } from '../api/trpc-client';
import { startDryRun } from '../run/run-controller';
import { pinSample, unpinSample, useSamples } from '../run/sample-store';
import { uiStore, useUi } from '../shell/ui-store';
import { editorStore, useEditor } from '../store/editor-store';
import type { StepRunView } from '../store/run-state';
import { isRunActive, runFromRecord } from '../store/run-state';
import { showToast } from '../ui/toast-store';

function Json({ value }: { value: unknown }) {
  return (
    <pre className="json-view">{value === undefined ? '—' : JSON.stringify(value, null, 2)}</pre>
  );
}

function StepRow({
  id,
  step,
  workflowId,
}: {
  id: string;
  step: StepRunView | undefined;
  workflowId: string;
}) {
  const pin = async () => {
    try {
      await pinSample(workflowId, id, step?.output);
      showToast({ tone: 'success', message: `Pinned the output of ${id} as sample data.` });
    } catch (error) {
      showToast({ tone: 'error', message: `Could not pin: ${errorMessage(error)}` });
    }
  };
  const pinned = useSamples((s) => s.pinned[id] !== undefined);
  const status = step?.status ?? 'pending';
  return (
    <details className={`run-step status-${status}`} data-testid={`run-step-${id}`}>
      <summary>
        <span className={`badge badge-${status}`}>{status}</span>
        <code>{id}</code>
        {step?.attempts !== undefined && step.attempts > 1 && (
          <span className="muted small">{step.attempts} attempts</span>
        )}
        {step?.durationMs !== undefined && (
          <span className="muted small">{step.durationMs} ms</span>
        )}
        {step?.port && step.port !== 'out' && <span className="muted small">→ {step.port}</span>}
        {step?.error && (
          <span className="run-error">{`${step.error.code}: ${step.error.message}`}</span>
        )}
      </summary>
      <div className="run-step-body">
        <div>
          <h4>Input (evaluated config)</h4>
          <Json value={step?.input} />
        </div>
        <div>
          <h4>Output</h4>
          <Json value={step?.output} />
          {step?.output !== undefined && (
            <button type="button" className="btn btn-small" onClick={() => void pin()}>
              Pin output as sample
            </button>
          )}
          {pinned && (
            <button
              type="button"
              className="btn btn-small"
              onClick={() => void unpinSample(workflowId, id)}
            >
              Unpin sample
            </button>
          )}
        </div>
        {step?.error && (
          <div>
            <h4>Error</h4>
            <Json value={step.error} />
          </div>
        )}
      </div>
    </details>
  );
}

function RunHistory({ workflowId, runKey }: { workflowId: string; runKey: string }) {
  const [history, setHistory] = useState<RouterOutputs['dryRun']['history']>([]);
  useEffect(() => {
    api.dryRun.history.query({ workflowId }).then(setHistory, () => setHistory([]));
  }, [workflowId, runKey]);
  const open = async (runId: string, rerun: boolean) => {
    const record = await api.dryRun.get.query({ runId });
    if (rerun) await startDryRun(editorStore, record.input);
    else editorStore.getState().showRun(runFromRecord(record));
  };
  if (history.length === 0) return <p className="muted small">No dry-run yet.</p>;
  return (
    <ul className="run-history" aria-label="Dry-run history">
      {history.slice(0, 20).map((h) => (
        <li key={h.runId}>
          <span className={`badge badge-${h.status}`}>{h.status}</span>
          <span className="small">{new Date(h.startedAt).toLocaleTimeString()}</span>
          {h.durationMs !== undefined && <span className="muted small">{h.durationMs} ms</span>}
          <button
            type="button"
            className="btn btn-small"
            onClick={() => void open(h.runId, false)}
            aria-label={`Show run of ${new Date(h.startedAt).toLocaleString()}`}
          >
            Show
          </button>
          <button
            type="button"
            className="btn btn-small"
            onClick={() => void open(h.runId, true)}
            aria-label={`Re-run with the input of ${new Date(h.startedAt).toLocaleString()}`}
          >
            Re-run
          </button>
        </li>
      ))}
    </ul>
  );
}

/** Bottom panel: the live (or a past) run, step by step, and the run history. */
export function RunPanel() {
  const open = useUi((s) => s.runPanelOpen);
  const { run, nodeIds, workflowId } = useEditor(
    useShallow((s) => ({
      run: s.run,
      nodeIds: s.nodes.map((n) => n.id).join(','),
      workflowId: s.workflowId,
    })),
  );
  if (!workflowId) return null;
  const ids = nodeIds === '' ? [] : nodeIds.split(',');
  const summary =
    run.status === 'idle'
      ? 'No run yet'
      : `Run ${run.status}${run.result?.error ? ` — ${run.result.error.step ?? ''} ${run.result.error.code}: ${run.result.error.message}` : ''}`;
  return (
    <section className={`run-panel${open ? ' is-open' : ''}`} aria-label="Run panel">
      <button
        type="button"
        className="run-panel-toggle"
        aria-expanded={open}
        onClick={() => uiStore.setState({ runPanelOpen: !open })}
      >
        <span
          className={`badge badge-${run.status === 'idle' ? 'pending' : run.status}`}
          data-testid="run-status"
          data-status={run.status}
        >
          {isRunActive(run) && <span className="spinner" aria-hidden="true" />}
          {run.status}
        </span>
        <span>{summary}</span>
        <span className="muted small">{open ? 'Hide' : 'Show'} run panel</span>
      </button>
      {open && (
        <div className="run-panel-body">
          <div className="run-steps">
            {run.problem && <p className="field-issues">{run.problem}</p>}
            {run.status === 'idle' ? (
              <p className="muted">Press Run to try the workflow here, with sample input.</p>
            ) : (
              ids.map((id) => (
                <StepRow key={id} id={id} step={run.steps[id]} workflowId={workflowId} />
              ))
            )}
          </div>
          <div className="run-side">
            <h3 className="section-title">History</h3>
            <RunHistory workflowId={workflowId} runKey={`${run.runId}:${run.status}`} />
          </div>
        </div>
      )}
    </section>
  );
}

import { useEffect, useMemo, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { RouterOutputs } from '../api/trpc-client';
import { api } from '../api/trpc-client';
import { isTriggerType } from '../catalog/node-catalog';
import { startDryRun } from '../run/run-controller';
import { useSamples } from '../run/sample-store';
import { closeOverlay, uiStore } from '../shell/ui-store';
import { editorStore, useEditor } from '../store/editor-store';
import { Dialog } from '../ui/dialog';

const EXAMPLE_INPUTS: Record<string, unknown> = {
  'trigger.webhook': {
    method: 'POST',
    path: '/',
    headers: { 'content-type': 'application/json' },
    query: {},
    body: {},
  },
  'trigger.schedule': {
    scheduledAt: '2026-01-01T00:00:00.000Z',
    firedAt: '2026-01-01T00:00:00.000Z',
  },
  'trigger.poll': { item: {}, polledAt: '2026-01-01T00:00:00.000Z' },
};

type Source = 'pinned' | 'previous' | 'typed';

/** Chooses the dry-run's input: the trigger's pinned sample, a previous run's input, or typed JSON. */
export function RunDialog() {
  const { workflowId, triggerId, triggerType } = useEditor(
    useShallow((s) => {
      const trigger = s.nodes.find((n) => isTriggerType(n.data.nodeType));
      return {
        workflowId: s.workflowId,
        triggerId: trigger?.id,
        triggerType: trigger?.data.nodeType,
      };
    }),
  );
  const pinned = useSamples((s) => (triggerId ? s.pinned[triggerId] : undefined));
  const [history, setHistory] = useState<RouterOutputs['dryRun']['history']>([]);
  const [previousId, setPreviousId] = useState('');
  const [source, setSource] = useState<Source>(pinned !== undefined ? 'pinned' : 'typed');
  const [text, setText] = useState(() =>
    JSON.stringify(pinned ?? EXAMPLE_INPUTS[triggerType ?? ''] ?? {}, null, 2),
  );
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    if (workflowId) api.dryRun.history.query({ workflowId }).then(setHistory, () => setHistory([]));
  }, [workflowId]);
  const loadPrevious = async (runId: string) => {
    setPreviousId(runId);
    if (!runId) return;
    const record = await api.dryRun.get.query({ runId });
    setText(JSON.stringify(record.input ?? {}, null, 2));
  };
  const choose = (next: Source) => {
    setSource(next);
    if (next === 'pinned') setText(JSON.stringify(pinned, null, 2));
    if (next === 'previous' && history[0]) void loadPrevious(previousId || history[0].runId);
  };
  const parsed = useMemo(() => {
    try {
      return { ok: true as const, value: JSON.parse(text) as unknown };
    } catch (error) {
      return { ok: false as const, message: (error as Error).message };
    }
  }, [text]);

  const run = () => {
    if (!parsed.ok) {
      setProblem(`The input is not JSON: ${parsed.message}`);
      return;
    }
    closeOverlay();
    uiStore.setState({ runPanelOpen: true });
    void startDryRun(editorStore, parsed.value);
  };

  return (
    <Dialog title="Dry-run this workflow" onClose={closeOverlay}>
      <fieldset className="radio-group">
        <legend>Input of the trigger{triggerId ? ` (${triggerId})` : ''}</legend>
        <label>
          <input
            type="radio"
            name="run-source"
            checked={source === 'pinned'}
            disabled={pinned === undefined}
            onChange={() => choose('pinned')}
          />{' '}
          Pinned sample
          {pinned === undefined && <span className="muted small"> (none pinned)</span>}
        </label>
        <label>
          <input
            type="radio"
            name="run-source"
            checked={source === 'previous'}
            disabled={history.length === 0}
            onChange={() => choose('previous')}
          />{' '}
          A previous run's input
        </label>
        <label>
          <input
            type="radio"
            name="run-source"
            checked={source === 'typed'}
            onChange={() => setSource('typed')}
          />{' '}
          Typed JSON
        </label>
      </fieldset>
      {source === 'previous' && (
        <div className="field">
          <label className="field-label" htmlFor="run-previous">
            Previous run
          </label>
          <select
            id="run-previous"
            className="input"
            value={previousId}
            onChange={(e) => void loadPrevious(e.target.value)}
          >
            {history.map((h) => (
              <option key={h.runId} value={h.runId}>
                {new Date(h.startedAt).toLocaleString()} — {h.status}
              </option>
            ))}
          </select>
        </div>
      )}
      <div className="field">
        <label className="field-label" htmlFor="run-input">
          Input (JSON)
        </label>
        <textarea
          id="run-input"
          className="input code-input"
          rows={10}
          spellCheck={false}
          value={text}
          aria-invalid={!parsed.ok || undefined}
          aria-describedby="run-input-problem"
          onChange={(e) => {
            setText(e.target.value);
            setSource('typed');
            setProblem(null);
          }}
        />
        <p id="run-input-problem" className={parsed.ok ? 'hint' : 'field-issues'}>
          {problem ??
            (parsed.ok
              ? 'The trigger outputs this value in a dry-run.'
              : `Not JSON yet: ${parsed.message}`)}
        </p>
      </div>
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={closeOverlay}>
          Close
        </button>
        <button
          type="button"
          className="btn btn-primary"
          onClick={run}
          disabled={!parsed.ok}
          data-testid="start-run"
        >
          ▶ Run now
        </button>
      </div>
    </Dialog>
  );
}

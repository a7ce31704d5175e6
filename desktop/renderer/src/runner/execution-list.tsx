import { useCallback, useRef, useState } from 'react';
import type { Failure, RouterInputs, RouterOutputs } from '../api/trpc-client';
import { api, failureOf } from '../api/trpc-client';
import { SelectField } from '../ui/field';
import { ProblemAlert } from '../ui/problem-alert';
import { TableHead } from '../ui/table-head';
import { showWorkflowRuns } from './runner-store';
import { REFRESH_MS, StatusBadge } from './status-badge';
import { useAutoRefresh } from './use-auto-refresh';

type Page = RouterOutputs['runner']['executions']['list'];
type Workflows = RouterOutputs['runner']['executions']['workflows'];
type Status = NonNullable<RouterInputs['runner']['executions']['list']['status']>;

const STATUSES: Status[] = ['pending', 'running', 'success', 'failed', 'canceled'];
const PAGE_SIZE = 20;

/**
 * Recent runs of the organization (or of one workflow), newest first, with status and
 * workflow filters and cursor pages.
 */
export function ExecutionList({
  workflows,
  runnerWorkflowId,
  onOpen,
}: {
  workflows: Workflows | null;
  /** The workflow filter (the page keeps it in the runner store); null: all workflows. */
  runnerWorkflowId: string | null;
  onOpen: (executionId: string) => void;
}) {
  const [status, setStatus] = useState<Status | ''>('');
  // The cursors of the pages before this one: "Newer" pops, "Older" pushes.
  const [cursors, setCursors] = useState<string[]>([]);
  const [page, setPage] = useState<Page | null>(null);
  const [problem, setProblem] = useState<Failure | null>(null);
  const cursor = cursors.at(-1);
  const reading = `${runnerWorkflowId ?? ''}|${status}|${cursor ?? ''}`;
  const shown = useRef(reading);
  shown.current = reading;

  const refresh = useCallback(async () => {
    try {
      const next = await api.runner.executions.list.query({
        limit: PAGE_SIZE,
        ...(runnerWorkflowId ? { runnerWorkflowId } : {}),
        ...(status ? { status } : {}),
        ...(cursor ? { cursor } : {}),
      });
      // An answer to filters or a page the user has since left is dropped.
      if (shown.current !== reading) return;
      setPage(next);
      setProblem(null);
    } catch (error) {
      if (shown.current === reading) setProblem(failureOf(error));
    }
  }, [runnerWorkflowId, status, cursor, reading]);
  useAutoRefresh(refresh, REFRESH_MS, reading);

  const names = new Map(workflows?.map((w) => [w.runnerWorkflowId, w.name]));
  const nameOf = (id: string) => names.get(id) ?? `workflow ${id.slice(0, 8)}`;
  const filtered = runnerWorkflowId ? nameOf(runnerWorkflowId) : null;
  return (
    <section aria-labelledby="runs-title">
      <h2 id="runs-title">{filtered ? `Runs of ${filtered}` : 'Recent runs'}</h2>
      <div className="settings-grid">
        <SelectField
          id="runs-workflow"
          label="Workflow"
          value={runnerWorkflowId ?? ''}
          onChange={(e) => showWorkflowRuns(e.target.value || null)}
        >
          <option value="">All workflows</option>
          {runnerWorkflowId && !names.has(runnerWorkflowId) && (
            <option value={runnerWorkflowId}>{filtered}</option>
          )}
          {workflows?.map((w) => (
            <option key={w.runnerWorkflowId} value={w.runnerWorkflowId}>
              {w.name}
            </option>
          ))}
        </SelectField>
        <SelectField
          id="runs-status"
          label="Status"
          value={status}
          onChange={(e) => {
            setStatus(e.target.value as Status | '');
            setCursors([]);
          }}
        >
          <option value="">All</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </SelectField>
      </div>
      <div className="toolbar">
        <button
          type="button"
          className="btn btn-small"
          disabled={cursors.length === 0}
          onClick={() => setCursors(cursors.slice(0, -1))}
        >
          Newer
        </button>
        <button
          type="button"
          className="btn btn-small"
          disabled={!page?.nextCursor}
          onClick={() => page?.nextCursor && setCursors([...cursors, page.nextCursor])}
        >
          Older
        </button>
      </div>
      <ProblemAlert problem={problem} />
      {page && page.items.length === 0 ? (
        <p className="muted">No run{status ? ` with status ${status}` : ''} yet.</p>
      ) : (
        <table className="table" data-testid="runs">
          <TableHead
            columns={['Started', 'Workflow', 'Status', 'Trigger', 'Version', 'Duration']}
            actions
          />
          <tbody>
            {page?.items.map((e) => (
              <tr key={e.id} data-testid="run-row">
                <td>{new Date(e.createdAt).toLocaleString()}</td>
                <td>{nameOf(e.workflowId)}</td>
                <td>
                  <StatusBadge status={e.status} />
                </td>
                <td>{e.trigger}</td>
                <td>v{e.version}</td>
                <td>{duration(e.startedAt, e.finishedAt)}</td>
                <td>
                  <button
                    type="button"
                    className="btn btn-small"
                    onClick={() => onOpen(e.id)}
                    aria-label={`Details of the ${e.status} run of ${nameOf(e.workflowId)} of ${new Date(e.createdAt).toLocaleString()}`}
                  >
                    Details
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function duration(startedAt: string | null, finishedAt: string | null): string {
  if (!startedAt || !finishedAt) return '—';
  const ms = Date.parse(finishedAt) - Date.parse(startedAt);
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

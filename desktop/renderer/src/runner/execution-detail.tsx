import { useCallback, useState } from 'react';
import type { Failure, RouterOutputs } from '../api/trpc-client';
import { api, errorMessage, failureOf } from '../api/trpc-client';
import { showToast } from '../ui/toast-store';
import { StatusBadge } from './status-badge';
import { useAutoRefresh } from './use-auto-refresh';
import { ProblemAlert } from '../ui/problem-alert';
import { TableHead } from '../ui/table-head';

type Detail = RouterOutputs['runner']['executions']['get'];
type Logs = RouterOutputs['runner']['executions']['logs'];

const LIVE_MS = 2_000;
const ENDED = new Set(['success', 'failed', 'canceled']);

/** One run: its steps, error and log lines; cancel while it has not ended. Live until it ends. */
export function ExecutionDetail({
  executionId,
  onClose,
}: {
  executionId: string;
  onClose: () => void;
}) {
  const [detail, setDetail] = useState<Detail | null>(null);
  const [logs, setLogs] = useState<Logs | null>(null);
  const [problem, setProblem] = useState<Failure | null>(null);

  const refresh = useCallback(async () => {
    if (detail && ENDED.has(detail.status) && logs) return;
    try {
      const [d, l] = await Promise.all([
        api.runner.executions.get.query({ executionId }),
        api.runner.executions.logs.query({ executionId }),
      ]);
      setDetail(d);
      setLogs(l);
      setProblem(null);
    } catch (error) {
      setProblem(failureOf(error));
    }
  }, [executionId, detail, logs]);
  useAutoRefresh(refresh, LIVE_MS);

  const cancel = async () => {
    try {
      await api.runner.executions.cancel.mutate({ executionId });
      showToast({ tone: 'info', message: 'Cancel requested.' });
      setDetail(null);
    } catch (error) {
      showToast({ tone: 'error', message: errorMessage(error) });
    }
  };

  return (
    <section aria-labelledby="run-detail-title" data-testid="run-detail">
      <h2 id="run-detail-title">
        Run <span className="mono">{executionId.slice(0, 8)}</span>{' '}
        {detail && <StatusBadge status={detail.status} />}
      </h2>
      <div className="toolbar">
        {detail && !ENDED.has(detail.status) && (
          <button type="button" className="btn btn-danger btn-small" onClick={() => void cancel()}>
            Cancel run
          </button>
        )}
        <button type="button" className="btn btn-small" onClick={onClose}>
          Close details
        </button>
      </div>
      <ProblemAlert problem={problem} />
      {detail?.error && (
        <p className="run-error" role="status">
          {detail.error.step ? `${detail.error.step}: ` : ''}
          {detail.error.code} — {detail.error.message}
        </p>
      )}
      {detail && (
        <table className="table" data-testid="run-steps">
          <caption className="visually-hidden">Steps</caption>
          <TableHead columns={['Step', 'Status', 'Attempts', 'Duration', 'Error']} />
          <tbody>
            {Object.entries(detail.steps).map(([stepId, step]) => (
              <tr key={stepId}>
                <th scope="row" className="mono">
                  {stepId}
                </th>
                <td>
                  <StatusBadge status={step.status} />
                </td>
                <td>{step.attempts}</td>
                <td>{step.durationMs} ms</td>
                <td>{step.error ? `${step.error.code}: ${step.error.message}` : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3 className="section-title">Logs</h3>
      {logs && logs.items.length === 0 ? (
        <p className="muted" data-testid="run-logs">
          No log lines for this run.
        </p>
      ) : (
        <ol className="run-logs mono small" data-testid="run-logs">
          {logs?.items.map((line) => (
            <li key={line.id}>
              {new Date(line.at).toLocaleTimeString()} [{line.level}]
              {line.stepId ? ` ${line.stepId}:` : ''} {line.message}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

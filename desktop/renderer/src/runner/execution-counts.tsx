import { useCallback, useState } from 'react';
import type { Failure, RouterOutputs } from '../api/trpc-client';
import { api, failureOf } from '../api/trpc-client';
import { SelectField } from '../ui/field';
import { ProblemAlert } from '../ui/problem-alert';
import { TableHead } from '../ui/table-head';
import type { StatsWindow } from './runner-store';
import { runnerStore, setStatsWindow, useRunner } from './runner-store';
import { REFRESH_MS } from './status-badge';
import { useAutoRefresh } from './use-auto-refresh';

type Counts = RouterOutputs['runner']['executions']['stats'];
type Status = keyof Counts['byStatus'];

/** Every key of StatsWindow, so a window the main process adds cannot go unnamed. */
const WINDOWS: Record<StatsWindow, string> = {
  '1h': 'Last hour',
  '24h': 'Last 24 hours',
  '7d': 'Last 7 days',
};
const COLUMNS: [Status | 'total', string][] = [
  ['success', 'Succeeded'],
  ['failed', 'Failed'],
  ['canceled', 'Canceled'],
  ['running', 'Running'],
  ['pending', 'Pending'],
  ['total', 'Total'],
];

const percent = (rate: number | null) =>
  rate === null ? '—' : `${Math.round(rate * 1000) / 10} %`;

/** The organization's outcomes over a window: rates of the runs that ended, counts by status. */
export function ExecutionCounts() {
  const statsWindow = useRunner((s) => s.statsWindow);
  const [counts, setCounts] = useState<Counts | null>(null);
  const [problem, setProblem] = useState<Failure | null>(null);

  const refresh = useCallback(async () => {
    try {
      const next = await api.runner.executions.stats.query({ window: statsWindow });
      // An answer for a window the user has since left is dropped.
      if (runnerStore.getState().statsWindow !== next.window) return;
      setCounts(next);
      setProblem(null);
    } catch (error) {
      setProblem(failureOf(error));
    }
  }, [statsWindow]);
  useAutoRefresh(refresh, REFRESH_MS, statsWindow);

  const shown = counts?.window === statsWindow ? counts : null;
  return (
    <section aria-labelledby="outcomes-title">
      <h2 id="outcomes-title">Outcomes</h2>
      <div className="settings-grid">
        <SelectField
          id="outcomes-window"
          label="Window"
          value={statsWindow}
          onChange={(e) => setStatsWindow(e.target.value as StatsWindow)}
        >
          {Object.entries(WINDOWS).map(([key, label]) => (
            <option key={key} value={key}>
              {label}
            </option>
          ))}
        </SelectField>
      </div>
      <ProblemAlert problem={problem} />
      {shown === null ? (
        <p className="muted">{problem ? '' : 'Loading…'}</p>
      ) : (
        <>
          <p data-testid="execution-rates">
            Success rate <strong>{percent(shown.successRate)}</strong>, failure rate{' '}
            <strong>{percent(shown.failureRate)}</strong>{' '}
            <span className="small muted">
              of {shown.ended} ended run{shown.ended === 1 ? '' : 's'} since{' '}
              {new Date(shown.since).toLocaleString()}
            </span>
          </p>
          <table className="table" data-testid="execution-counts">
            <caption className="visually-hidden">
              Executions created in the window ({WINDOWS[statsWindow].toLowerCase()}), by status
            </caption>
            <TableHead columns={COLUMNS.map(([, label]) => label)} />
            <tbody>
              <tr>
                {COLUMNS.map(([status, label]) => (
                  <td key={label}>{status === 'total' ? shown.total : shown.byStatus[status]}</td>
                ))}
              </tr>
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

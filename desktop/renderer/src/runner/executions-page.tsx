import { useCallback, useEffect, useState } from 'react';
import type { RouterOutputs } from '../api/trpc-client';
import { api, errorMessage } from '../api/trpc-client';
import { ExecutionDetail } from './execution-detail';
import { ExecutionList } from './execution-list';
import { activeProfile, refreshProfiles, showWorkflowRuns, useRunner } from './runner-store';
import { OVERVIEW_REFRESH_MS, REFRESH_MS, StatusBadge } from './status-badge';
import { useAutoRefresh } from './use-auto-refresh';
import { ProblemAlert } from '../ui/problem-alert';

type Overview = RouterOutputs['runner']['executions']['overview'];

/** Operators' view: each workflow's recent outcomes, its runs, one run's steps and logs. */
export function ExecutionsPage() {
  const profile = useRunner(activeProfile);
  const selected = useRunner((s) => s.dashboardWorkflowId);
  const [overview, setOverview] = useState<Overview | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [executionId, setExecutionId] = useState<string | null>(null);

  useEffect(() => void refreshProfiles(), []);
  const refresh = useCallback(async () => {
    try {
      setOverview(await api.runner.executions.overview.query());
      setProblem(null);
    } catch (error) {
      setProblem(errorMessage(error));
    }
  }, []);
  useAutoRefresh(refresh, OVERVIEW_REFRESH_MS);

  const workflow = overview?.find((w) => w.runnerWorkflowId === selected);
  return (
    <main className="page page-wide" aria-labelledby="executions-title">
      <h1 id="executions-title">Executions</h1>
      <p className="muted">
        {profile?.organizationName
          ? `${profile.organizationName} on ${profile.name}; runs are refreshed every ${REFRESH_MS / 1000} s, the overview every ${OVERVIEW_REFRESH_MS / 1000} s, while this page is open.`
          : 'Choose a runner and an organization on the Runner page.'}
      </p>
      <ProblemAlert problem={problem} />
      <section aria-labelledby="overview-title">
        <h2 id="overview-title">Workflows</h2>
        {overview === null ? (
          <p className="muted">{problem ? '' : 'Loading…'}</p>
        ) : overview.length === 0 ? (
          <p className="muted">Nothing published in this organization yet.</p>
        ) : (
          <table className="table" data-testid="executions-overview">
            <caption className="visually-hidden">
              Workflows and the outcome of their last 20 runs
            </caption>
            <thead>
              <tr>
                <th scope="col">Workflow</th>
                <th scope="col">Version</th>
                <th scope="col">Succeeded</th>
                <th scope="col">Failed</th>
                <th scope="col">Running</th>
                <th scope="col">Last run</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {overview.map((w) => (
                <tr key={w.runnerWorkflowId} aria-current={w === workflow ? 'true' : undefined}>
                  <th scope="row">
                    {w.name}
                    {!w.enabled && <span className="badge badge-canceled">disabled</span>}
                  </th>
                  <td>{w.version === null ? '—' : `v${w.version}`}</td>
                  <td>{w.counts.success}</td>
                  <td>{w.counts.failed}</td>
                  <td>{w.counts.running}</td>
                  <td>
                    {w.last ? (
                      <>
                        <StatusBadge status={w.last.status} />{' '}
                        <span className="small muted">
                          {new Date(w.last.createdAt).toLocaleString()}
                        </span>
                      </>
                    ) : (
                      <span className="muted">never</span>
                    )}
                  </td>
                  <td>
                    <button
                      type="button"
                      className="btn btn-small"
                      onClick={() => {
                        setExecutionId(null);
                        showWorkflowRuns(w.runnerWorkflowId);
                      }}
                      aria-label={`Show runs of ${w.name}`}
                    >
                      Runs
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {selected && (
        <ExecutionList
          key={selected}
          runnerWorkflowId={selected}
          name={workflow?.name ?? 'Workflow'}
          onOpen={setExecutionId}
        />
      )}
      {executionId && (
        <ExecutionDetail
          key={executionId}
          executionId={executionId}
          onClose={() => setExecutionId(null)}
        />
      )}
    </main>
  );
}

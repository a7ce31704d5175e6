import { useCallback, useEffect, useState } from 'react';
import type { Failure, RouterOutputs } from '../api/trpc-client';
import { api, failureOf } from '../api/trpc-client';
import { ProblemAlert } from '../ui/problem-alert';
import { TableHead } from '../ui/table-head';
import { ExecutionCounts } from './execution-counts';
import { ExecutionDetail } from './execution-detail';
import { ExecutionList } from './execution-list';
import { activeProfile, refreshProfiles, showWorkflowRuns, useRunner } from './runner-store';
import { REFRESH_MS, WORKFLOWS_REFRESH_MS } from './status-badge';
import { useAutoRefresh } from './use-auto-refresh';
import { WorkflowSlaSection } from './workflow-sla-section';

type Workflows = RouterOutputs['runner']['executions']['workflows'];

/**
 * Operators' view of the organization, from its organization-wide reads: outcomes over a
 * window, recent runs of every workflow (or one, with its SLA), one run's steps and logs, the
 * workflows.
 */
export function ExecutionsPage() {
  const profile = useRunner(activeProfile);
  const selected = useRunner((s) => s.dashboardWorkflowId);
  const [workflows, setWorkflows] = useState<Workflows | null>(null);
  const [problem, setProblem] = useState<Failure | null>(null);
  const [executionId, setExecutionId] = useState<string | null>(null);

  useEffect(() => void refreshProfiles(), []);
  const refresh = useCallback(async () => {
    try {
      setWorkflows(await api.runner.executions.workflows.query());
      setProblem(null);
    } catch (error) {
      setProblem(failureOf(error));
    }
  }, []);
  useAutoRefresh(refresh, WORKFLOWS_REFRESH_MS);
  const selectedWorkflow = workflows?.find((w) => w.runnerWorkflowId === selected);

  return (
    <main className="page page-wide" aria-labelledby="executions-title">
      <h1 id="executions-title">Executions</h1>
      <p className="muted">
        {profile?.organizationName
          ? `${profile.organizationName} on ${profile.name}; outcomes and runs are refreshed every ${REFRESH_MS / 1000} s while this page is open.`
          : 'Choose a runner and an organization on the Runner page.'}
      </p>
      <ExecutionCounts />
      <ExecutionList
        key={selected ?? 'all'}
        workflows={workflows}
        runnerWorkflowId={selected}
        onOpen={setExecutionId}
      />
      {selectedWorkflow && (
        <WorkflowSlaSection
          key={`sla-${selectedWorkflow.runnerWorkflowId}`}
          runnerWorkflowId={selectedWorkflow.runnerWorkflowId}
          workflowName={selectedWorkflow.name}
        />
      )}
      {executionId && (
        <ExecutionDetail
          key={executionId}
          executionId={executionId}
          onClose={() => setExecutionId(null)}
        />
      )}
      <section aria-labelledby="workflows-title">
        <h2 id="workflows-title">Workflows</h2>
        <ProblemAlert problem={problem} />
        {workflows === null ? (
          <p className="muted">{problem ? '' : 'Loading…'}</p>
        ) : workflows.length === 0 ? (
          <p className="muted">Nothing published in this organization yet.</p>
        ) : (
          <table className="table" data-testid="executions-workflows">
            <caption className="visually-hidden">Published workflows</caption>
            <TableHead columns={['Workflow', 'Version', 'Webhook']} actions />
            <tbody>
              {workflows.map((w) => (
                <tr
                  key={w.runnerWorkflowId}
                  aria-current={w.runnerWorkflowId === selected ? 'true' : undefined}
                >
                  <th scope="row">
                    {w.name}
                    {!w.enabled && <span className="badge badge-canceled">disabled</span>}
                  </th>
                  <td>{w.version === null ? '—' : `v${w.version}`}</td>
                  <td className="mono small">{w.webhookUrl ?? '—'}</td>
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
    </main>
  );
}

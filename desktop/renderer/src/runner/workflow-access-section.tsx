import { useEffect, useState } from 'react';
import type { RouterOutputs } from '../api/trpc-client';
import { api, failureOf } from '../api/trpc-client';
import { SelectField } from '../ui/field';
import { FormFooter } from '../ui/form-footer';
import { ProblemAlert } from '../ui/problem-alert';
import { TableHead } from '../ui/table-head';
import { showToast } from '../ui/toast-store';
import { useFormAction } from '../ui/use-form-action';
import { activeProfile, useRunner } from './runner-store';

type Member = RouterOutputs['runner']['admin']['members']['items'][number];
type Workflows = RouterOutputs['runner']['executions']['workflows'];
type Level = RouterOutputs['runner']['admin']['workflowAccess']['members'][number]['access'];
const LEVELS: Level[] = ['view', 'run', 'edit'];

/**
 * Workflow sharing: a restricted workflow is seen only by the members it is
 * shared with (and by roles that may share). Acts in the organization in use.
 */
export function WorkflowAccessSection({
  organizationId,
  members,
  canShare,
}: {
  organizationId: string;
  members: Member[];
  canShare: boolean;
}) {
  const profile = useRunner(activeProfile);
  const inUse = profile?.organizationId === organizationId;
  const [workflows, setWorkflows] = useState<Workflows | null>(null);
  const [workflowId, setWorkflowId] = useState('');
  const [restricted, setRestricted] = useState(false);
  const [levels, setLevels] = useState<Record<string, Level | ''>>({});
  const { busy, problem, setProblem, onSubmit } = useFormAction(async () => {
    await api.runner.admin.setWorkflowAccess.mutate({
      runnerWorkflowId: workflowId,
      restricted,
      members: Object.entries(levels).flatMap(([userId, access]) =>
        access ? [{ userId, access }] : [],
      ),
    });
    showToast({ tone: 'success', message: 'Workflow access saved.' });
  });

  useEffect(() => {
    if (!inUse) return;
    api.runner.executions.workflows.query().then(
      (list) => {
        setWorkflows(list);
        setWorkflowId((current) => current || (list[0]?.runnerWorkflowId ?? ''));
      },
      (error: unknown) => setProblem(failureOf(error)),
    );
  }, [inUse, setProblem]);
  useEffect(() => {
    if (!workflowId) return;
    api.runner.admin.workflowAccess.query({ runnerWorkflowId: workflowId }).then(
      (access) => {
        setRestricted(access.restricted);
        setLevels(Object.fromEntries(access.members.map((m) => [m.userId, m.access])));
        setProblem(null);
      },
      (error: unknown) => setProblem(failureOf(error)),
    );
  }, [workflowId, setProblem]);

  return (
    <section aria-labelledby="access-title">
      <h3 id="access-title" className="section-title">
        Workflow access
      </h3>
      {!inUse ? (
        <p className="hint">
          Choose this organization on the Runner page to see who can access its workflows.
        </p>
      ) : workflows === null ? (
        <p className="muted">{problem?.message ?? 'Loading…'}</p>
      ) : workflows.length === 0 ? (
        <p className="muted">No workflow is published in this organization yet.</p>
      ) : (
        <form onSubmit={onSubmit} aria-labelledby="access-title">
          <SelectField
            id="access-workflow"
            label="Workflow"
            value={workflowId}
            onChange={(e) => setWorkflowId(e.target.value)}
          >
            {workflows.map((w) => (
              <option key={w.runnerWorkflowId} value={w.runnerWorkflowId}>
                {w.name}
              </option>
            ))}
          </SelectField>
          <label className="field-label">
            <input
              type="checkbox"
              checked={restricted}
              disabled={!canShare}
              onChange={(e) => setRestricted(e.target.checked)}
            />{' '}
            Only the members below can see this workflow
          </label>
          <table className="table" data-testid="workflow-access">
            <TableHead columns={['Member', 'Access']} />
            <tbody>
              {members.map((m) => (
                <tr key={m.id}>
                  <th scope="row">{m.email}</th>
                  <td>
                    <select
                      className="input"
                      aria-label={`Access of ${m.email}`}
                      value={levels[m.id] ?? ''}
                      disabled={!canShare}
                      onChange={(e) =>
                        setLevels({ ...levels, [m.id]: e.target.value as Level | '' })
                      }
                    >
                      <option value="">{restricted ? 'none' : 'by role'}</option>
                      {LEVELS.map((level) => (
                        <option key={level} value={level}>
                          {level}
                        </option>
                      ))}
                    </select>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {canShare ? (
            <FormFooter
              problem={problem}
              submitLabel="Save access"
              busyLabel="Saving…"
              busy={busy}
            />
          ) : (
            <>
              <ProblemAlert problem={problem} />
              <p className="hint">Read-only: your role does not share workflows.</p>
            </>
          )}
        </form>
      )}
    </section>
  );
}

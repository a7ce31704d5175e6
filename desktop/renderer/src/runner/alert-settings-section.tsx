import { useEffect, useState } from 'react';
import type { RouterOutputs } from '../api/trpc-client';
import { api, errorIssues, failureOf } from '../api/trpc-client';
import { FormFooter } from '../ui/form-footer';
import { ProblemAlert } from '../ui/problem-alert';
import { showToast } from '../ui/toast-store';
import { useFormAction } from '../ui/use-form-action';
import type { RunnerProfile } from './runner-store';

type Workflows = RouterOutputs['runner']['executions']['workflows'];

/** `mutedWorkflowIds[2]` in a problem's errors → the id that was sent third. */
const MUTED_ENTRY = /^mutedWorkflowIds\[(\d+)\]$/;

/**
 * The user's failure and SLA alerts (in-app and email) in the organization in use: all muted, or
 * the workflows chosen (decisions 0016, 0018: one setting mutes both kinds). The runner keeps
 * them per member and organization.
 */
export function AlertSettingsSection({ profile }: { profile: RunnerProfile }) {
  const [workflows, setWorkflows] = useState<Workflows | null>(null);
  const [muteAll, setMuteAll] = useState(false);
  const [muted, setMuted] = useState<string[]>([]);
  const [issues, setIssues] = useState<string[]>([]);
  const [loaded, setLoaded] = useState(false);
  const nameOf = (id: string) => workflows?.find((w) => w.runnerWorkflowId === id)?.name ?? id;
  const { busy, problem, setProblem, onSubmit } = useFormAction(async () => {
    setIssues([]);
    const sent = muted;
    try {
      const saved = await api.runner.notifications.saveAlertSettings.mutate({
        muteAll,
        mutedWorkflowIds: sent,
      });
      setMuteAll(saved.muteAll);
      setMuted(saved.mutedWorkflowIds);
      showToast({ tone: 'success', message: 'Alert settings saved.' });
    } catch (error) {
      setIssues(
        errorIssues(error).map((issue) => {
          const entry = MUTED_ENTRY.exec(issue.path);
          const id = entry ? sent[Number(entry[1])] : undefined;
          return id ? `${nameOf(id)}: ${issue.message}` : `${issue.path}: ${issue.message}`;
        }),
      );
      throw error;
    }
  });

  useEffect(() => {
    Promise.all([
      api.runner.notifications.alertSettings.query(),
      api.runner.executions.workflows.query(),
    ]).then(
      ([settings, list]) => {
        setMuteAll(settings.muteAll);
        setMuted(settings.mutedWorkflowIds);
        setWorkflows(list);
        setLoaded(true);
      },
      (error: unknown) => setProblem(failureOf(error)),
    );
  }, [profile.id, profile.organizationId, setProblem]);

  const toggle = (id: string, on: boolean) =>
    setMuted(on ? [...muted, id] : muted.filter((m) => m !== id));

  return (
    <section className="settings-block" aria-labelledby="alerts-title">
      <h2 id="alerts-title">Failure and SLA alerts</h2>
      <p className="hint">
        The runner tells you by email and in-app (the bell) when a workflow you may edit in{' '}
        {profile.organizationName ?? 'this organization'} fails or misses its SLA (a run taking too
        long, or waiting too long to start): one digest per workflow and kind at most every 4
        minutes. Muting silences both failure and SLA alerts, for you only.
      </p>
      {!loaded ? (
        problem ? (
          <ProblemAlert problem={problem} />
        ) : (
          <p className="muted">Loading…</p>
        )
      ) : (
        <form className="form" onSubmit={onSubmit} aria-labelledby="alerts-title">
          <label className="field-label">
            <input
              type="checkbox"
              checked={muteAll}
              onChange={(e) => setMuteAll(e.target.checked)}
            />{' '}
            Mute all failure and SLA alerts
          </label>
          <fieldset className="field-group" disabled={muteAll}>
            <legend>Mute these workflows</legend>
            {workflows?.length === 0 && (
              <p className="hint">Nothing is published in this organization yet.</p>
            )}
            {workflows?.map((w) => (
              <label key={w.runnerWorkflowId} className="field-label">
                <input
                  type="checkbox"
                  checked={muted.includes(w.runnerWorkflowId)}
                  onChange={(e) => toggle(w.runnerWorkflowId, e.target.checked)}
                />{' '}
                {w.name}
              </label>
            ))}
          </fieldset>
          {issues.length > 0 && (
            <ul className="field-issues" data-testid="alert-settings-issues">
              {issues.map((issue) => (
                <li key={issue}>{issue}</li>
              ))}
            </ul>
          )}
          <FormFooter
            problem={problem}
            submitLabel="Save alert settings"
            busyLabel="Saving…"
            busy={busy}
          />
        </form>
      )}
    </section>
  );
}

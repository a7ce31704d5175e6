import { useEffect, useState } from 'react';
import type { Failure, RouterOutputs } from '../api/trpc-client';
import { api, failureOf } from '../api/trpc-client';
import { TextField } from '../ui/field';
import { FormFooter } from '../ui/form-footer';
import { ProblemAlert } from '../ui/problem-alert';
import { showToast } from '../ui/toast-store';
import { useRunnerForm } from './use-runner-form';

type SlaView = RouterOutputs['runner']['executions']['sla'];
type Sla = NonNullable<SlaView['sla']>;

/** The runner's JSON paths of the SLA body (decision 0018), placed on the fields. */
const SLA_PATHS = ['maxDurationSeconds', 'maxStartDelaySeconds'] as const;

interface SlaValues {
  duration: string;
  delay: string;
}

const valuesOf = (sla: Sla | null): SlaValues => ({
  duration: sla ? String(sla.maxDurationSeconds) : '',
  delay: sla?.maxStartDelaySeconds == null ? '' : String(sla.maxStartDelaySeconds),
});

/** What the SLA asks, in a sentence. */
export function describeSla(sla: Sla | null): string {
  if (!sla) return 'No SLA: runs of this workflow are not timed.';
  const delay =
    sla.maxStartDelaySeconds === null
      ? 'the wait before a run starts is not watched'
      : `a run may wait at most ${sla.maxStartDelaySeconds} s to start`;
  return `A run may take at most ${sla.maxDurationSeconds} s; ${delay}.`;
}

/**
 * One workflow's SLA on the runner (decision 0018): slow runs and runs left pending are alerted
 * like failures. Shown, set and removed here; read-only for a role without workflows:write. The
 * runner checks the limits and its messages go on the fields.
 */
export function WorkflowSlaSection({
  runnerWorkflowId,
  workflowName,
}: {
  runnerWorkflowId: string;
  workflowName: string;
}) {
  const [view, setView] = useState<SlaView | null>(null);
  const [values, setValues] = useState<SlaValues>(valuesOf(null));
  const [loadProblem, setLoadProblem] = useState<Failure | null>(null);

  useEffect(() => {
    api.runner.executions.sla.query({ runnerWorkflowId }).then(
      (loaded) => {
        setView(loaded);
        setValues(valuesOf(loaded.sla));
      },
      (error: unknown) => setLoadProblem(failureOf(error)),
    );
  }, [runnerWorkflowId]);

  const save = useRunnerForm(SLA_PATHS, async () => {
    const sla = await api.runner.executions.setSla.mutate({
      runnerWorkflowId,
      maxDurationSeconds: Number(values.duration),
      maxStartDelaySeconds: values.delay.trim() === '' ? null : Number(values.delay),
    });
    setView((v) => v && { ...v, sla });
    setValues(valuesOf(sla));
    showToast({ tone: 'success', message: `SLA of “${workflowName}” saved.` });
  });
  const clear = useRunnerForm([], async () => {
    await api.runner.executions.clearSla.mutate({ runnerWorkflowId });
    setView((v) => v && { ...v, sla: null });
    setValues(valuesOf(null));
    showToast({ tone: 'success', message: `“${workflowName}” has no SLA now.` });
  });

  return (
    <section aria-labelledby="sla-title" data-testid="workflow-sla">
      <h2 id="sla-title">SLA of {workflowName}</h2>
      <p className="hint">
        Runs slower than the SLA, or left waiting to start longer, are alerted like failures: in the
        bell and by email to those who may edit the workflow, at most one digest every 4 minutes.
      </p>
      {view === null ? (
        loadProblem ? (
          <ProblemAlert problem={loadProblem} />
        ) : (
          <p className="muted">Loading…</p>
        )
      ) : (
        <>
          <p role="status" data-testid="sla-summary">
            {describeSla(view.sla)}
          </p>
          {view.canEdit ? (
            <form className="form" onSubmit={save.onSubmit} aria-labelledby="sla-title">
              <TextField
                id="sla-duration"
                label="Longest run (seconds)"
                hint="From the start of a run to its end; a run still going past it is alerted while it runs."
                type="number"
                required
                inputClassName="input-number"
                value={values.duration}
                onChange={(e) => setValues({ ...values, duration: e.target.value })}
                errors={save.errorsAt('maxDurationSeconds')}
              />
              <TextField
                id="sla-delay"
                label="Longest wait to start (seconds, optional)"
                hint="From its creation until a worker starts it; empty: not watched."
                type="number"
                inputClassName="input-number"
                value={values.delay}
                onChange={(e) => setValues({ ...values, delay: e.target.value })}
                errors={save.errorsAt('maxStartDelaySeconds')}
              />
              <FormFooter
                problem={save.problem ?? clear.problem}
                submitLabel="Save SLA"
                busyLabel="Saving…"
                busy={save.busy || clear.busy}
              >
                {view.sla && (
                  <button
                    type="button"
                    className="btn btn-danger"
                    disabled={save.busy || clear.busy}
                    onClick={() => void clear.run()}
                  >
                    Remove SLA
                  </button>
                )}
              </FormFooter>
            </form>
          ) : (
            <p className="hint">Read-only: your role does not change workflows.</p>
          )}
        </>
      )}
    </section>
  );
}

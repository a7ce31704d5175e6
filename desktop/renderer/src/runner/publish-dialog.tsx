import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { RouterOutputs } from '../api/trpc-client';
import { api, errorIssues, errorMessage } from '../api/trpc-client';
import { ProblemsList } from '../inspector/problems-list';
import { closeOverlay, showPage } from '../shell/ui-store';
import { editorStore, useEditor } from '../store/editor-store';
import { Dialog } from '../ui/dialog';
import { showToast } from '../ui/toast-store';
import type { PlacedIssue } from '../validation/issue-paths';
import { placeIssues } from '../validation/issue-paths';
import { validationStore } from '../validation/validation-store';
import { saveWorkflow } from '../workflows/workflow-actions';
import { RunnerNotReady } from './runner-not-ready';
import { activeProfile, refreshProfiles, showWorkflowRuns, useRunner } from './runner-store';
import { ProblemAlert } from '../ui/problem-alert';
import { CopyButton } from '../ui/copy-button';

type Published = RouterOutputs['runner']['publish']['publish'];
type Status = RouterOutputs['runner']['publish']['status'];

/** Publishes the open workflow to the runner and organization in use; shows version and webhook. */
export function PublishDialog() {
  const { workflowId, dirty } = useEditor(
    useShallow((s) => ({ workflowId: s.workflowId, dirty: s.dirty })),
  );
  const profile = useRunner(activeProfile);
  const [status, setStatus] = useState<Status>(null);
  const [result, setResult] = useState<Published | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [issues, setIssues] = useState<PlacedIssue[]>([]);
  const [busy, setBusy] = useState(false);

  useEffect(() => void refreshProfiles(), []);
  useEffect(() => {
    if (workflowId)
      api.runner.publish.status.query({ workflowId }).then(setStatus, () => setStatus(null));
  }, [workflowId, profile?.id, profile?.organizationId]);
  if (!workflowId) return null;

  const ready = Boolean(profile?.signedIn && profile.organizationId);
  const publish = async () => {
    setBusy(true);
    setProblem(null);
    setIssues([]);
    try {
      // The runner gets the saved document: unsaved edits are saved first.
      if (dirty && !(await saveWorkflow('Before publishing'))) return;
      const published = await api.runner.publish.publish.mutate({ workflowId });
      setResult(published);
      setStatus(published);
      showToast({
        tone: 'success',
        message: `Published version ${published.version} to ${published.profileName}.`,
      });
    } catch (error) {
      setProblem(errorMessage(error));
      const found = errorIssues(error);
      if (found.length > 0) {
        // The runner's findings go where the editor shows its own.
        const placed = placeIssues(
          found,
          editorStore.getState().nodes.map((n) => n.id),
        );
        setIssues(placed);
        validationStore.setState({ issues: placed, checkedAt: Date.now() });
      }
    } finally {
      setBusy(false);
    }
  };

  const shown = result ?? status;
  return (
    <Dialog title="Publish to runner" onClose={closeOverlay}>
      {!profile ? (
        <p>
          No runner is set up yet.{' '}
          <button type="button" className="link-btn" onClick={() => showPage('runner')}>
            Add one on the Runner page
          </button>
          .
        </p>
      ) : !ready ? (
        <RunnerNotReady profile={profile} />
      ) : (
        <>
          <p>
            To <strong>{profile.name}</strong>, organization{' '}
            <strong>{profile.organizationName}</strong>
            {dirty ? ' (unsaved changes are saved first)' : ''}.
          </p>
          {shown && (
            <dl className="publish-facts" data-testid="publish-result">
              <dt>Runner version</dt>
              <dd>v{shown.version}</dd>
              {shown.webhookUrl && (
                <>
                  <dt>Webhook URL ({shown.webhookMethod ?? 'POST'})</dt>
                  <dd>
                    <code className="mono" data-testid="webhook-url">
                      {shown.webhookUrl}
                    </code>{' '}
                    <CopyButton
                      text={shown.webhookUrl ?? ''}
                      label="Copy"
                      copied="Webhook URL copied"
                    />
                  </dd>
                </>
              )}
              <dt>Published</dt>
              <dd>{new Date(shown.publishedAt).toLocaleString()}</dd>
            </dl>
          )}
          <ProblemAlert problem={problem} />
          {issues.length > 0 && (
            <ProblemsList issues={issues} title="Problems found by the runner" />
          )}
          <div className="dialog-actions">
            {shown && (
              <button
                type="button"
                className="btn"
                onClick={() => {
                  showWorkflowRuns(shown.runnerWorkflowId);
                  showPage('executions');
                }}
              >
                Executions
              </button>
            )}
            <button
              type="button"
              className="btn btn-primary"
              disabled={busy}
              onClick={() => void publish()}
            >
              {busy ? 'Publishing…' : shown ? 'Publish new version' : 'Publish'}
            </button>
          </div>
        </>
      )}
    </Dialog>
  );
}

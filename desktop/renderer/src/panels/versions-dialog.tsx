import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { RouterOutputs } from '../api/trpc-client';
import { api, errorMessage } from '../api/trpc-client';
import { closeOverlay } from '../shell/ui-store';
import { useEditor } from '../store/editor-store';
import { Dialog } from '../ui/dialog';
import { showToast } from '../ui/toast-store';
import { openWorkflow, refreshList, saveWorkflow } from '../workflows/workflow-actions';

/** Every saved version of the open workflow; restoring makes a new version with the old content. */
export function VersionsDialog() {
  const { workflowId, current, dirty } = useEditor(
    useShallow((s) => ({ workflowId: s.workflowId, current: s.version, dirty: s.dirty })),
  );
  const [versions, setVersions] = useState<RouterOutputs['workflows']['versions'] | null>(null);
  useEffect(() => {
    if (workflowId)
      api.workflows.versions.query({ id: workflowId }).then(setVersions, () => setVersions([]));
  }, [workflowId]);
  if (!workflowId) return null;
  const restore = async (version: number) => {
    try {
      // Unsaved edits become their own version first, so that restoring loses nothing.
      if (dirty) await saveWorkflow('Before restoring an older version');
      const result = await api.workflows.restoreVersion.mutate({ id: workflowId, version });
      await openWorkflow(workflowId);
      await refreshList();
      showToast({
        tone: 'success',
        message: `Restored version ${version} as version ${result.version}.`,
      });
      closeOverlay();
    } catch (error) {
      showToast({ tone: 'error', message: `Could not restore: ${errorMessage(error)}` });
    }
  };
  return (
    <Dialog title="Version history" onClose={closeOverlay}>
      {versions === null ? (
        <p className="muted">Loading…</p>
      ) : (
        <ol className="versions" reversed>
          {versions.map((v) => (
            <li key={v.version}>
              <div>
                <strong>v{v.version}</strong>{' '}
                <span className="muted small">{new Date(v.savedAt).toLocaleString()}</span>
                <div className="small">
                  {v.message ?? 'Saved'} · {v.nodeCount} steps
                </div>
              </div>
              {v.version === current ? (
                <span className="muted small">current</span>
              ) : (
                <button
                  type="button"
                  className="btn btn-small"
                  onClick={() => void restore(v.version)}
                  aria-label={`Restore version ${v.version}`}
                >
                  Restore
                </button>
              )}
            </li>
          ))}
        </ol>
      )}
    </Dialog>
  );
}

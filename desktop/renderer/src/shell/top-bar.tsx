import { useReactFlow } from '@xyflow/react';
import { useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { cancelDryRun } from '../run/run-controller';
import { editorStore, useEditor } from '../store/editor-store';
import { isRunActive } from '../store/run-state';
import { exportWorkflow, importWorkflow, saveWorkflow } from '../workflows/workflow-actions';
import { showOverlay } from './ui-store';

/** Save, run, cancel, undo/redo, fit, layout, import/export, versions, help. */
export function TopBar() {
  const { open, name, dirty, version, canUndo, canRedo, running } = useEditor(
    useShallow((s) => ({
      open: s.workflowId !== null,
      name: s.meta.name,
      dirty: s.dirty,
      version: s.version,
      canUndo: s.history.past.length > 0,
      canRedo: s.history.future.length > 0,
      running: isRunActive(s.run),
    })),
  );
  const { fitView } = useReactFlow();
  const fileInput = useRef<HTMLInputElement>(null);
  const store = editorStore.getState;

  const onImport = async (file: File | undefined) => {
    if (!file) return;
    await importWorkflow(await file.text(), file.name);
    if (fileInput.current) fileInput.current.value = '';
  };

  return (
    <header className="top-bar" aria-label="Workflow toolbar">
      <div className="top-bar-title">
        {open ? (
          <>
            <h1 className="workflow-title">{name}</h1>
            <span className="muted small" data-testid="save-state">
              {dirty ? 'Unsaved changes' : version ? `Saved · v${version}` : ''}
            </span>
          </>
        ) : (
          <h1 className="workflow-title">Maestro</h1>
        )}
      </div>
      <div className="toolbar" role="toolbar" aria-label="Editor actions">
        <button
          type="button"
          className="btn"
          disabled={!open || !canUndo}
          onClick={() => store().undo()}
          aria-keyshortcuts="Control+Z"
          title="Undo (Ctrl+Z)"
        >
          Undo
        </button>
        <button
          type="button"
          className="btn"
          disabled={!open || !canRedo}
          onClick={() => store().redo()}
          aria-keyshortcuts="Control+Shift+Z"
          title="Redo (Ctrl+Shift+Z)"
        >
          Redo
        </button>
        <span className="toolbar-sep" aria-hidden="true" />
        <button
          type="button"
          className="btn"
          disabled={!open}
          onClick={() => void fitView({ padding: 0.2, duration: 200 })}
          title="Zoom to fit (Shift+1)"
        >
          Fit
        </button>
        <button
          type="button"
          className="btn"
          disabled={!open}
          onClick={() => store().autoLayout()}
          title="Auto-layout, left to right (Shift+L)"
        >
          Layout
        </button>
        <span className="toolbar-sep" aria-hidden="true" />
        <button
          type="button"
          className="btn"
          disabled={!open}
          onClick={() => showOverlay('versions')}
        >
          Versions
        </button>
        <button type="button" className="btn" onClick={() => fileInput.current?.click()}>
          Import
        </button>
        <input
          ref={fileInput}
          type="file"
          accept=".json,.maestro.json,application/json"
          hidden
          aria-label="Import a workflow file"
          data-testid="import-file"
          onChange={(e) => void onImport(e.target.files?.[0])}
        />
        <button
          type="button"
          className="btn"
          disabled={!open}
          onClick={() => void exportWorkflow()}
        >
          Export
        </button>
        <span className="toolbar-sep" aria-hidden="true" />
        <button
          type="button"
          className="btn"
          disabled={!open || !dirty}
          onClick={() => void saveWorkflow()}
          aria-keyshortcuts="Control+S"
          title="Save (Ctrl+S)"
        >
          Save
        </button>
        {running ? (
          <button
            type="button"
            className="btn btn-danger"
            onClick={() => void cancelDryRun(editorStore)}
          >
            Cancel run
          </button>
        ) : (
          <button
            type="button"
            className="btn btn-primary"
            disabled={!open}
            onClick={() => showOverlay('run')}
            aria-keyshortcuts="Control+Enter"
            title="Dry-run (Ctrl+Enter)"
          >
            ▶ Run
          </button>
        )}
        <button
          type="button"
          className="btn"
          disabled={!open}
          onClick={() => showOverlay('publish')}
          title="Publish to the runner in use"
        >
          Publish
        </button>
        <button
          type="button"
          className="btn btn-icon"
          onClick={() => showOverlay('help')}
          aria-label="Help and keyboard shortcuts"
          aria-keyshortcuts="Shift+?"
        >
          ?
        </button>
      </div>
    </header>
  );
}

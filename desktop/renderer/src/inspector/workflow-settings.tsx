import { useShallow } from 'zustand/react/shallow';
import { editorStore, useEditor } from '../store/editor-store';

/** Document-level fields, shown when no single step is selected. */
export function WorkflowSettings() {
  const meta = useEditor(useShallow((s) => s.meta));
  return (
    <section aria-label="Workflow settings">
      <h2 className="panel-title">Workflow</h2>
      <div className="field">
        <label className="field-label" htmlFor="workflow-name">
          Name
        </label>
        <input
          id="workflow-name"
          className="input"
          value={meta.name}
          onChange={(e) => editorStore.getState().setMeta({ name: e.target.value })}
        />
      </div>
      <div className="field">
        <label className="field-label" htmlFor="workflow-description">
          Description
        </label>
        <textarea
          id="workflow-description"
          className="input"
          rows={3}
          value={meta.description ?? ''}
          onChange={(e) =>
            editorStore.getState().setMeta({ description: e.target.value || undefined })
          }
        />
      </div>
      <div className="field">
        <label className="field-label" htmlFor="workflow-timeout">
          Run timeout (ms, at most 900000)
        </label>
        <input
          id="workflow-timeout"
          className="input"
          type="number"
          placeholder="900000"
          value={meta.settings?.timeoutMs ?? ''}
          onChange={(e) =>
            editorStore.getState().setMeta({
              settings: e.target.value === '' ? undefined : { timeoutMs: Number(e.target.value) },
            })
          }
        />
      </div>
      <p className="muted small">
        Select a step to edit it. Tab moves between steps on the canvas; Enter on a palette item
        adds it after the selected step.
      </p>
    </section>
  );
}

import { useShallow } from 'zustand/react/shallow';
import { editorStore, useEditor } from '../store/editor-store';
import { Field, TextField } from '../ui/field';

/** Document-level fields, shown when no single step is selected. */
export function WorkflowSettings() {
  const meta = useEditor(useShallow((s) => s.meta));
  return (
    <section aria-label="Workflow settings">
      <h2 className="panel-title">Workflow</h2>
      <TextField
        id="workflow-name"
        label="Name"
        value={meta.name}
        onChange={(e) => editorStore.getState().setMeta({ name: e.target.value })}
      />
      <Field id="workflow-description" label="Description">
        {(control) => (
          <textarea
            className="input"
            rows={3}
            value={meta.description ?? ''}
            onChange={(e) =>
              editorStore.getState().setMeta({ description: e.target.value || undefined })
            }
            {...control}
          />
        )}
      </Field>
      <TextField
        id="workflow-timeout"
        label="Run timeout (ms, at most 900000)"
        type="number"
        placeholder="900000"
        value={meta.settings?.timeoutMs ?? ''}
        onChange={(e) =>
          editorStore.getState().setMeta({
            settings: e.target.value === '' ? undefined : { timeoutMs: Number(e.target.value) },
          })
        }
      />
      <p className="muted small">
        Select a step to edit it. Tab moves between steps on the canvas; Enter on a palette item
        adds it after the selected step.
      </p>
    </section>
  );
}

import { useEffect, useState } from 'react';
import type { RouterOutputs } from '../api/trpc-client';
import { api } from '../api/trpc-client';
import { closeOverlay } from '../shell/ui-store';
import { Dialog } from '../ui/dialog';
import { createWorkflow } from '../workflows/workflow-actions';

/** "New workflow": blank, or one of the starter templates (examples/). */
export function GalleryDialog() {
  const [templates, setTemplates] = useState<RouterOutputs['templates']['list'] | null>(null);
  const [filter, setFilter] = useState('');
  useEffect(() => {
    api.templates.list.query().then(setTemplates, () => setTemplates([]));
  }, []);
  const create = (fromTemplate?: string) => {
    closeOverlay();
    void createWorkflow(fromTemplate);
  };
  const shown = (templates ?? []).filter((t) =>
    `${t.name} ${t.description} ${t.category}`.toLowerCase().includes(filter.toLowerCase()),
  );
  return (
    <Dialog title="New workflow" onClose={closeOverlay} wide>
      <div className="gallery-head">
        <button
          type="button"
          className="btn btn-primary"
          onClick={() => create()}
          data-testid="blank-workflow"
        >
          Blank workflow
        </button>
        <input
          type="search"
          className="input"
          placeholder="Search templates…"
          aria-label="Search templates"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
      </div>
      {templates === null ? (
        <p className="muted">Loading templates…</p>
      ) : (
        <ul className="gallery">
          {shown.map((t) => (
            <li key={t.id}>
              <button type="button" className="gallery-card" onClick={() => create(t.id)}>
                <span className="gallery-category">{t.category}</span>
                <span className="gallery-name">{t.name}</span>
                <span className="gallery-desc">{t.description}</span>
                <span className="muted small">
                  {(t.document as { nodes?: unknown[] }).nodes?.length ?? 0} steps
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </Dialog>
  );
}

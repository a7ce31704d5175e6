import { useEffect, useState } from 'react';
import { useEditor } from '../store/editor-store';
import { Icon } from '../ui/icons';
import { showOverlay } from '../shell/ui-store';
import type { WorkflowSummary } from './workflow-actions';
import {
  deleteWorkflow,
  duplicateWorkflow,
  listStore,
  openWorkflow,
  refreshList,
  renameWorkflow,
  useWorkflowList,
} from './workflow-actions';

function WorkflowRow({ item, active }: { item: WorkflowSummary; active: boolean }) {
  const [renaming, setRenaming] = useState(false);
  const [draft, setDraft] = useState(item.name);
  const commit = () => {
    setRenaming(false);
    if (draft.trim() && draft.trim() !== item.name) void renameWorkflow(item.id, draft.trim());
  };
  return (
    <li className={`wf-row${active ? ' is-active' : ''}`}>
      {renaming ? (
        <input
          className="input"
          aria-label={`New name for ${item.name}`}
          value={draft}
          autoFocus
          onChange={(e) => setDraft(e.target.value)}
          onBlur={commit}
          onKeyDown={(e) => {
            if (e.key === 'Enter') commit();
            if (e.key === 'Escape') setRenaming(false);
          }}
        />
      ) : (
        <button
          type="button"
          className="wf-open"
          aria-current={active ? 'page' : undefined}
          onClick={() => void openWorkflow(item.id)}
        >
          <span className="wf-name">{item.name}</span>
          <span className="wf-meta">
            {item.triggerType?.replace('trigger.', '') ?? 'no trigger'} · v{item.version}
            {!item.valid && <span className="wf-draft"> · draft</span>}
          </span>
        </button>
      )}
      <div className="wf-actions">
        <button
          type="button"
          className="icon-btn"
          aria-label={`Rename ${item.name}`}
          title="Rename"
          onClick={() => {
            setDraft(item.name);
            setRenaming(true);
          }}
        >
          <Icon name="pencil" />
        </button>
        <button
          type="button"
          className="icon-btn"
          aria-label={`Duplicate ${item.name}`}
          title="Duplicate"
          onClick={() => void duplicateWorkflow(item.id)}
        >
          <Icon name="copy" />
        </button>
        <button
          type="button"
          className="icon-btn"
          aria-label={`Delete ${item.name}`}
          title="Delete"
          onClick={() => void deleteWorkflow(item.id, item.name)}
        >
          <Icon name="trash" />
        </button>
      </div>
    </li>
  );
}

/** Left sidebar: search, new workflow (from the starter gallery), the list. */
export function WorkflowList() {
  const { items, search, loaded } = useWorkflowList((s) => s);
  const activeId = useEditor((s) => s.workflowId);
  useEffect(() => {
    const timer = setTimeout(() => void refreshList(), 150);
    return () => clearTimeout(timer);
  }, [search]);
  return (
    <nav className="workflow-list" aria-label="Workflows">
      <div className="wf-list-head">
        <h2 className="panel-title">Workflows</h2>
        <button
          type="button"
          className="btn btn-primary btn-small"
          onClick={() => showOverlay('gallery')}
          aria-label="New workflow"
        >
          + New
        </button>
      </div>
      <input
        type="search"
        className="input"
        placeholder="Search workflows…"
        aria-label="Search workflows"
        value={search}
        onChange={(e) => listStore.setState({ search: e.target.value })}
      />
      {loaded && items.length === 0 && (
        <p className="muted small">
          {search ? 'No workflow matches.' : 'No workflow yet: start one with + New.'}
        </p>
      )}
      <ul className="wf-items">
        {items.map((item) => (
          <WorkflowRow key={item.id} item={item} active={item.id === activeId} />
        ))}
      </ul>
    </nav>
  );
}

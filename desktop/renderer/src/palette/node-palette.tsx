import type { DragEvent, KeyboardEvent } from 'react';
import { useMemo, useState } from 'react';
import { listNodeTypes } from '../catalog/node-catalog';
import type { NodeTypeInfo } from '../catalog/node-catalog';
import { CATEGORY_LABELS, glyphFor } from '../catalog/node-appearance';
import { NODE_TYPE_MIME } from '../canvas/workflow-canvas';
import { editorStore } from '../store/editor-store';

function matches(info: NodeTypeInfo, search: string): boolean {
  const needle = search.trim().toLowerCase();
  return (
    needle === '' ||
    `${info.title} ${info.type} ${info.description} ${info.category}`.toLowerCase().includes(needle)
  );
}

/**
 * Every node type of the shared catalog. Drag one onto the canvas, or click /
 * press Enter to add it after the selected node, connected.
 */
export function NodePalette({ disabled }: { disabled: boolean }) {
  const [search, setSearch] = useState('');
  const groups = useMemo(() => {
    const byCategory = new Map<string, NodeTypeInfo[]>();
    for (const info of listNodeTypes()) {
      if (!matches(info, search)) continue;
      byCategory.set(info.category, [...(byCategory.get(info.category) ?? []), info]);
    }
    return [...byCategory.entries()];
  }, [search]);

  const add = (type: string) => {
    if (!disabled) editorStore.getState().addNodeAfterSelected(type);
  };
  const onDragStart = (event: DragEvent, type: string) => {
    event.dataTransfer.setData(NODE_TYPE_MIME, type);
    event.dataTransfer.effectAllowed = 'copy';
  };
  const onSearchKey = (event: KeyboardEvent<HTMLInputElement>) => {
    // Enter in the search box adds the first match: a fast keyboard path.
    const first = groups[0]?.[1][0];
    if (event.key === 'Enter' && first) add(first.type);
  };

  return (
    <aside className="palette" aria-label="Node palette">
      <h2 className="panel-title">Add a step</h2>
      <input
        type="search"
        className="input"
        placeholder="Search steps…"
        aria-label="Search node types"
        value={search}
        onChange={(e) => setSearch(e.target.value)}
        onKeyDown={onSearchKey}
      />
      {groups.length === 0 && <p className="muted">No step matches “{search}”.</p>}
      {groups.map(([category, infos]) => (
        <section key={category} aria-label={CATEGORY_LABELS[category] ?? category}>
          <h3 className="palette-group">{CATEGORY_LABELS[category] ?? category}</h3>
          <ul className="palette-list">
            {infos.map((info) => (
              <li key={info.type}>
                <button
                  type="button"
                  className={`palette-item category-${info.category}`}
                  draggable={!disabled}
                  disabled={disabled}
                  onDragStart={(e) => onDragStart(e, info.type)}
                  onClick={() => add(info.type)}
                  title={`${info.description} — drag onto the canvas, or click to add after the selected step`}
                  data-node-type={info.type}
                >
                  <span className="step-glyph" aria-hidden="true">
                    {glyphFor(info.type)}
                  </span>
                  <span className="palette-text">
                    <span className="palette-title">{info.title}</span>
                    <span className="palette-desc">{info.description}</span>
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </aside>
  );
}

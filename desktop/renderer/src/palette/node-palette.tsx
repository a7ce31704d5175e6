import type { DragEvent, KeyboardEvent } from 'react';
import { useReactFlow } from '@xyflow/react';
import { useMemo, useState } from 'react';
import { listNodeTypes } from '../catalog/node-catalog';
import type { NodeTypeInfo } from '../catalog/node-catalog';
import { CATEGORY_LABELS, glyphFor } from '../catalog/node-appearance';
import { NODE_TYPE_MIME } from '../canvas/workflow-canvas';
import { NODE_HEIGHT, NODE_WIDTH } from '../store/auto-layout';
import { editorStore } from '../store/editor-store';

/** 3: title or type starts with the search; 2: contains it; 1: only the description does; 0: no match. */
export function matchScore(info: NodeTypeInfo, search: string): number {
  const needle = search.trim().toLowerCase();
  if (needle === '') return 1;
  const names = [info.title.toLowerCase(), info.type.toLowerCase()];
  if (names.some((name) => name.startsWith(needle))) return 3;
  if (names.some((name) => name.includes(needle))) return 2;
  return `${info.description} ${info.category}`.toLowerCase().includes(needle) ? 1 : 0;
}

/**
 * Every node type of the shared catalog. Drag one onto the canvas, or click /
 * press Enter to add it after the selected node, connected.
 */
export function NodePalette({ disabled }: { disabled: boolean }) {
  const [search, setSearch] = useState('');
  const { groups, best } = useMemo(() => {
    const byCategory = new Map<string, NodeTypeInfo[]>();
    let top: { info: NodeTypeInfo; score: number } | undefined;
    for (const info of listNodeTypes()) {
      const score = matchScore(info, search);
      if (score === 0) continue;
      if (!top || score > top.score) top = { info, score };
      byCategory.set(info.category, [...(byCategory.get(info.category) ?? []), info]);
    }
    return { groups: [...byCategory.entries()], best: top?.info };
  }, [search]);

  const { setCenter, getZoom, screenToFlowPosition } = useReactFlow();
  /** Adds after the selected step and pans to the new step when it landed out of view. */
  const add = (type: string) => {
    if (disabled) return;
    const id = editorStore.getState().addNodeAfterSelected(type);
    const node = editorStore.getState().nodes.find((n) => n.id === id);
    const canvas = document.querySelector('.canvas')?.getBoundingClientRect();
    if (!node || !canvas) return;
    const topLeft = screenToFlowPosition({ x: canvas.left, y: canvas.top });
    const bottomRight = screenToFlowPosition({ x: canvas.right, y: canvas.bottom });
    const { x, y } = node.position;
    const visible =
      x >= topLeft.x &&
      y >= topLeft.y &&
      x + NODE_WIDTH <= bottomRight.x &&
      y + NODE_HEIGHT <= bottomRight.y;
    if (!visible)
      void setCenter(x + NODE_WIDTH / 2, y + NODE_HEIGHT / 2, { zoom: getZoom(), duration: 200 });
  };
  const onDragStart = (event: DragEvent, type: string) => {
    event.dataTransfer.setData(NODE_TYPE_MIME, type);
    event.dataTransfer.effectAllowed = 'copy';
  };
  const onSearchKey = (event: KeyboardEvent<HTMLInputElement>) => {
    // Enter in the search box adds the best match: a fast keyboard path.
    if (event.key === 'Enter' && best) add(best.type);
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
        aria-describedby="palette-enter-hint"
      />
      <p id="palette-enter-hint" className="hint" aria-live="polite">
        {search.trim() && best
          ? `Enter adds “${best.title}”`
          : 'Drag a step onto the canvas, or click it'}
      </p>
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

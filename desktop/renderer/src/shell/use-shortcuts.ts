import { useReactFlow } from '@xyflow/react';
import { useEffect } from 'react';
import { editorStore } from '../store/editor-store';
import { saveWorkflow } from '../workflows/workflow-actions';
import { showOverlay, uiStore } from './ui-store';

function isTextTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/** The editor's keyboard shortcuts (listed in the help dialog). */
export function useShortcuts(): void {
  const { fitView } = useReactFlow();
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const store = editorStore.getState();
      if (
        !store.workflowId ||
        uiStore.getState().overlay !== 'none' ||
        uiStore.getState().page !== 'editor'
      )
        return;
      const mod = event.ctrlKey || event.metaKey;
      const key = event.key.toLowerCase();
      // Save and run work from anywhere, text fields included.
      if (mod && key === 's') {
        event.preventDefault();
        void saveWorkflow();
        return;
      }
      if (mod && key === 'enter') {
        event.preventDefault();
        showOverlay('run');
        return;
      }
      if (isTextTarget(event.target)) return;
      const action = (() => {
        if (mod && key === 'z' && !event.shiftKey) return store.undo;
        if (mod && ((key === 'z' && event.shiftKey) || key === 'y')) return store.redo;
        if (mod && key === 'c') return store.copySelected;
        if (mod && key === 'v') return store.paste;
        if (mod && key === 'd') return store.duplicateSelected;
        if (mod && key === 'k')
          return () =>
            document
              .querySelector<HTMLInputElement>('input[aria-label="Search node types"]')
              ?.focus();
        if (!mod && event.shiftKey && event.code === 'Digit1')
          return () => void fitView({ padding: 0.2, duration: 200 });
        if (!mod && event.shiftKey && key === 'l') return store.autoLayout;
        if (!mod && event.key === '?') return () => showOverlay('help');
        return null;
      })();
      if (action) {
        event.preventDefault();
        action();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [fitView]);
}

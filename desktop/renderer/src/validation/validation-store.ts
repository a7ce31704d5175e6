/**
 * Live validation: the shared validator runs on the document ~150 ms after
 * the last edit, and its errors are placed on nodes and fields.
 */
import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';
import { validateWorkflow } from '../../../../shared/src/validation/validate-workflow';
import type { EditorStore } from '../store/editor-store';
import type { PlacedIssue } from './issue-paths';
import { placeIssues } from './issue-paths';

interface ValidationState {
  issues: PlacedIssue[];
  checkedAt: number;
}

export const validationStore = createStore<ValidationState>()(() => ({ issues: [], checkedAt: 0 }));

export function useIssues(): PlacedIssue[] {
  return useStore(validationStore, (s) => s.issues);
}

export function useIssueCount(nodeId: string): number {
  return useStore(validationStore, (s) => s.issues.filter((i) => i.nodeId === nodeId).length);
}

export function validateNow(editor: EditorStore): void {
  const state = editor.getState();
  if (!state.workflowId) {
    validationStore.setState({ issues: [], checkedAt: Date.now() });
    return;
  }
  const result = validateWorkflow(state.toDocument());
  const issues = result.ok
    ? []
    : placeIssues(
        result.errors,
        state.nodes.map((n) => n.id),
      );
  validationStore.setState({ issues, checkedAt: Date.now() });
}

/** Re-validates after edits (not after selection or run changes). Returns the unsubscribe. */
export function watchValidation(editor: EditorStore, delayMs = 150): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const unsubscribe = editor.subscribe((state, previous) => {
    if (
      state.nodes === previous.nodes &&
      state.edges === previous.edges &&
      state.meta === previous.meta &&
      state.workflowId === previous.workflowId
    )
      return;
    clearTimeout(timer);
    timer = setTimeout(() => validateNow(editor), delayMs);
  });
  validateNow(editor);
  return () => {
    clearTimeout(timer);
    unsubscribe();
  };
}

/**
 * What the top bar, the workflow list and the shortcuts do with workflows:
 * every call goes through the tRPC client; the editor store holds the open one.
 */
import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';
import type { Workflow } from '../../../../shared/src/model/workflow';
import type { RouterOutputs } from '../api/trpc-client';
import { api, errorIssues, errorMessage } from '../api/trpc-client';
import { loadSamples } from '../run/sample-store';
import { editorStore } from '../store/editor-store';
import { saveTextFile } from '../ui/save-text-file';
import { showToast } from '../ui/toast-store';

export type WorkflowSummary = RouterOutputs['workflows']['list'][number];

interface ListState {
  search: string;
  items: WorkflowSummary[];
  loaded: boolean;
}

export const listStore = createStore<ListState>()(() => ({ search: '', items: [], loaded: false }));

export function useWorkflowList<T>(selector: (state: ListState) => T): T {
  return useStore(listStore, selector);
}

export async function refreshList(): Promise<void> {
  const { search } = listStore.getState();
  const items = await api.workflows.list.query(search ? { search } : {});
  listStore.setState({ items, loaded: true });
}

function reportFailure(what: string, error: unknown): void {
  showToast({ tone: 'error', message: `${what}: ${errorMessage(error)}` });
}

export async function openWorkflow(id: string): Promise<void> {
  try {
    const workflow = await api.workflows.get.query({ id });
    editorStore
      .getState()
      .loadWorkflow(workflow.id, workflow.version, workflow.document as unknown as Workflow);
    await api.settings.update.mutate({ lastOpenWorkflowId: id });
    await loadSamples(id);
  } catch (error) {
    reportFailure('Could not open the workflow', error);
  }
}

export async function createWorkflow(fromTemplate?: string): Promise<void> {
  try {
    const { id } = await api.workflows.create.mutate(fromTemplate ? { fromTemplate } : {});
    await refreshList();
    await openWorkflow(id);
  } catch (error) {
    reportFailure('Could not create the workflow', error);
  }
}

export async function saveWorkflow(message?: string): Promise<boolean> {
  const state = editorStore.getState();
  if (!state.workflowId) return false;
  try {
    const { version, issues } = await api.workflows.save.mutate({
      id: state.workflowId,
      document: state.toDocument(),
      message,
    });
    editorStore.getState().markSaved(version);
    const note =
      issues.length > 0
        ? ` as a draft with ${issues.length} problem${issues.length === 1 ? '' : 's'}`
        : '';
    showToast({
      tone: issues.length > 0 ? 'info' : 'success',
      message: `Saved version ${version}${note}.`,
    });
    await refreshList();
    return true;
  } catch (error) {
    reportFailure('Could not save', error);
    return false;
  }
}

export async function renameWorkflow(id: string, name: string): Promise<void> {
  try {
    await api.workflows.rename.mutate({ id, name });
    if (editorStore.getState().workflowId === id) {
      // The server wrote the name into a new version; reload so the editor sees it.
      const workflow = await api.workflows.get.query({ id });
      editorStore
        .getState()
        .setMeta({ name: (workflow.document as { name?: string }).name ?? name });
      editorStore.getState().markSaved(workflow.version);
    }
    await refreshList();
  } catch (error) {
    reportFailure('Could not rename', error);
  }
}

export async function duplicateWorkflow(id: string): Promise<void> {
  try {
    const copy = await api.workflows.duplicate.mutate({ id });
    await refreshList();
    showToast({
      tone: 'success',
      message: 'Workflow duplicated.',
      action: { label: 'Open', run: () => void openWorkflow(copy.id) },
    });
  } catch (error) {
    reportFailure('Could not duplicate', error);
  }
}

export async function deleteWorkflow(id: string, name: string): Promise<void> {
  try {
    await api.workflows.delete.mutate({ id });
    if (editorStore.getState().workflowId === id) editorStore.getState().closeWorkflow();
    await refreshList();
    showToast({
      tone: 'info',
      message: `Deleted “${name}”.`,
      action: {
        label: 'Undo',
        run: () =>
          void api.workflows.restore
            .mutate({ id })
            .then(refreshList)
            .catch((error: unknown) => reportFailure('Could not restore', error)),
      },
    });
  } catch (error) {
    reportFailure('Could not delete', error);
  }
}

export async function importWorkflow(text: string, fileName?: string): Promise<void> {
  try {
    const result = await api.workflows.import.mutate({ text, fileName });
    if ('id' in result && typeof result.id === 'string') {
      await refreshList();
      await openWorkflow(result.id);
      showToast({ tone: 'success', message: `Imported ${fileName ?? 'the workflow'}.` });
      return;
    }
    const issues = (result as { issues?: { path: string; message: string }[] }).issues ?? [];
    showToast(
      {
        tone: 'error',
        message: `Import refused: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      },
      10_000,
    );
  } catch (error) {
    const issues = errorIssues(error);
    const detail =
      issues.length > 0
        ? issues.map((i) => `${i.path}: ${i.message}`).join('; ')
        : errorMessage(error);
    showToast({ tone: 'error', message: `Import refused: ${detail}` }, 10_000);
  }
}

/** Saves the export as a file through the browser's download machinery. */
export async function exportWorkflow(): Promise<void> {
  const id = editorStore.getState().workflowId;
  if (!id) return;
  try {
    if (editorStore.getState().dirty) await saveWorkflow();
    const { fileName, text } = await api.workflows.export.query({ id });
    saveTextFile(fileName, text, 'application/json');
  } catch (error) {
    reportFailure('Could not export', error);
  }
}

/**
 * Starts a dry-run in the main process and folds its event stream into the
 * editor store, so node badges and the run panel update live.
 */
import type { EngineEvent } from '../../../../shared/src/engine/events';
import { api, errorMessage } from '../api/trpc-client';
import type { EditorStore } from '../store/editor-store';

let subscription: { unsubscribe: () => void } | null = null;
let pending: EngineEvent[] = [];

/**
 * Events come in bursts (a fast run, or the replay a late subscriber gets):
 * fold each frame's worth into one store update, so the canvas renders once
 * per frame instead of once per event.
 */
function queue(editor: EditorStore, event: EngineEvent): void {
  pending.push(event);
  if (pending.length > 1) return;
  requestAnimationFrame(() => {
    const batch = pending;
    pending = [];
    editor.getState().applyEvents(batch);
  });
}

export async function startDryRun(editor: EditorStore, input: unknown): Promise<void> {
  const state = editor.getState();
  if (!state.workflowId) return;
  subscription?.unsubscribe();
  state.startRun(input);
  try {
    const { runId } = await api.dryRun.start.mutate({
      workflowId: state.workflowId,
      document: state.toDocument(),
      input,
    });
    editor.getState().runStarted(runId);
    subscription = api.dryRun.events.subscribe(
      { runId },
      {
        // The wire form of an EngineEvent is the event itself (plain JSON, no transformer).
        onData: (event) => queue(editor, event as EngineEvent),
        onError: (error) =>
          editor.getState().runProblem(`Lost the run's event stream: ${errorMessage(error)}`),
      },
    );
  } catch (error) {
    editor.getState().runProblem(errorMessage(error));
  }
}

export async function cancelDryRun(editor: EditorStore): Promise<void> {
  const { runId } = editor.getState().run;
  if (runId) await api.dryRun.cancel.mutate({ runId });
}

/**
 * Sample data of the open workflow: pinned samples (per node) and the inputs
 * of previous runs; they feed the run dialog and expression autocompletion.
 */
import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';
import { api } from '../api/trpc-client';

interface SampleState {
  workflowId: string | null;
  pinned: Record<string, unknown>;
  env: Record<string, string>;
}

export const sampleStore = createStore<SampleState>()(() => ({
  workflowId: null,
  pinned: {},
  env: {},
}));

export function useSamples<T>(selector: (state: SampleState) => T): T {
  return useStore(sampleStore, selector);
}

export async function loadSamples(workflowId: string): Promise<void> {
  const [pinned, settings] = await Promise.all([
    api.samples.get.query({ workflowId }),
    api.settings.get.query(),
  ]);
  const secret = new Set(settings.secretEnvKeys);
  // Secret values never reach previews: autocompletion only needs the keys.
  const env = Object.fromEntries(
    Object.entries(settings.env).map(([k, v]) => [k, secret.has(k) ? '[secret]' : v]),
  );
  sampleStore.setState({ workflowId, pinned: pinned as Record<string, unknown>, env });
}

export async function pinSample(workflowId: string, nodeId: string, data: unknown): Promise<void> {
  await api.samples.pin.mutate({ workflowId, nodeId, data });
  sampleStore.setState({ pinned: { ...sampleStore.getState().pinned, [nodeId]: data } });
}

export async function unpinSample(workflowId: string, nodeId: string): Promise<void> {
  await api.samples.unpin.mutate({ workflowId, nodeId });
  const { [nodeId]: _gone, ...rest } = sampleStore.getState().pinned;
  sampleStore.setState({ pinned: rest });
}

import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';
import type { Failure, RouterInputs, RouterOutputs } from '../api/trpc-client';
import { api, failureOf } from '../api/trpc-client';

export type RunnerProfile = RouterOutputs['runner']['profiles']['list'][number];
export type StatsWindow = NonNullable<RouterInputs['runner']['executions']['stats']['window']>;

interface RunnerState {
  profiles: RunnerProfile[];
  loaded: boolean;
  problem: Failure | null;
  /** The runner workflow whose runs the Executions page lists; null: every workflow's. */
  dashboardWorkflowId: string | null;
  /** The window the Executions page counts outcomes over. */
  statsWindow: StatsWindow;
}

/** The runner profiles as the main process knows them (never a token: it keeps those). */
export const runnerStore = createStore<RunnerState>()(() => ({
  profiles: [],
  loaded: false,
  problem: null,
  dashboardWorkflowId: null,
  statsWindow: '24h',
}));

/** Lists one workflow's runs on the Executions page (null: all workflows'). */
export const showWorkflowRuns = (runnerWorkflowId: string | null) =>
  runnerStore.setState({ dashboardWorkflowId: runnerWorkflowId });

export const setStatsWindow = (statsWindow: StatsWindow) => runnerStore.setState({ statsWindow });

export function useRunner<T>(selector: (state: RunnerState) => T): T {
  return useStore(runnerStore, selector);
}

export const activeProfile = (state: RunnerState): RunnerProfile | undefined =>
  state.profiles.find((p) => p.active);

export async function refreshProfiles(): Promise<void> {
  try {
    runnerStore.setState({
      profiles: await api.runner.profiles.list.query(),
      loaded: true,
      problem: null,
    });
  } catch (error) {
    runnerStore.setState({ loaded: true, problem: failureOf(error) });
  }
}

import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';

export type Page =
  | 'editor'
  | 'connections'
  | 'runner'
  | 'executions'
  | 'runner-connections'
  | 'admin'
  | 'event-webhooks'
  | 'settings';
export type Overlay = 'none' | 'gallery' | 'versions' | 'help' | 'run' | 'publish';

interface UiState {
  page: Page;
  overlay: Overlay;
  runPanelOpen: boolean;
}

/** Which page and which overlay are showing: navigation state, apart from the editor's data. */
export const uiStore = createStore<UiState>()(() => ({
  page: 'editor',
  overlay: 'none',
  runPanelOpen: false,
}));

export function useUi<T>(selector: (state: UiState) => T): T {
  return useStore(uiStore, selector);
}

export const showOverlay = (overlay: Overlay) => uiStore.setState({ overlay });
export const closeOverlay = () => uiStore.setState({ overlay: 'none' });
export const showPage = (page: Page) => uiStore.setState({ page, overlay: 'none' });

import { createStore } from 'zustand/vanilla';
import { showPage } from '../shell/ui-store';

/**
 * The runner's refusal of an organization admin or platform admin who has not turned on
 * two-factor authentication (403, "administrators must enable two-factor authentication first").
 * Wherever it is shown, the app offers the way out: the Runner page's Account security.
 */
export function needsTwoFactor(message: string): boolean {
  return /must enable two-factor authentication first/i.test(message);
}

export const twoFactorStore = createStore<{
  /** Set by `openTwoFactorSetup`; the active profile's Account security takes it (once). */
  requested: boolean;
  /** Counts turning 2FA on or off here: sections the runner refused re-read when it changes. */
  changes: number;
}>()(() => ({ requested: false, changes: 0 }));

/** Goes to the Runner page and opens the active profile's two-factor set-up. */
export function openTwoFactorSetup(): void {
  twoFactorStore.setState({ requested: true });
  showPage('runner');
}

export const noteTwoFactorChanged = () =>
  twoFactorStore.setState((s) => ({ changes: s.changes + 1 }));

export const TWO_FACTOR_SETUP_LABEL = 'Set up two-factor authentication';

import { createStore } from 'zustand/vanilla';
import { TWO_FACTOR_REQUIRED_TYPE } from '../../../../shared/src/contracts/runner-api/problem';
import type { Failure } from '../api/trpc-client';
import { showPage } from '../shell/ui-store';

/**
 * The runner's refusal of an organization admin or platform admin who has not turned on
 * two-factor authentication (403 with the problem type TWO_FACTOR_REQUIRED_TYPE). Wherever it
 * is shown, the app offers the way out: the Runner page's Account security.
 */
export function needsTwoFactor(failure: Failure | string | null | undefined): boolean {
  return typeof failure === 'object' && failure?.problemType === TWO_FACTOR_REQUIRED_TYPE;
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

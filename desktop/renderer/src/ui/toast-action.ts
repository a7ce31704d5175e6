import { failureOf } from '../api/trpc-client';
import {
  needsTwoFactor,
  openTwoFactorSetup,
  TWO_FACTOR_SETUP_LABEL,
} from '../runner/two-factor-required';
import { showToast } from './toast-store';

/**
 * A one-click action (a row's button, a select that saves at once): how it went is told
 * in a toast, since such actions have no form with an error line.
 */
export async function runWithToast(
  run: () => Promise<unknown>,
  done: string,
  tone: 'success' | 'info' = 'success',
): Promise<void> {
  try {
    await run();
    showToast({ tone, message: done });
  } catch (error) {
    const failure = failureOf(error);
    showToast({
      tone: 'error',
      message: failure.message,
      // The runner's "enable two-factor authentication first": the way there, not a dead end.
      ...(needsTwoFactor(failure)
        ? { action: { label: TWO_FACTOR_SETUP_LABEL, run: openTwoFactorSetup } }
        : {}),
    });
  }
}

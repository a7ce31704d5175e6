import type { Failure } from '../api/trpc-client';
import {
  needsTwoFactor,
  openTwoFactorSetup,
  TWO_FACTOR_SETUP_LABEL,
} from '../runner/two-factor-required';

/**
 * A form's or page's error line, announced to screen readers; nothing when there is none. A
 * string is the app's own; a failed call's Failure may be the runner's "enable two-factor
 * authentication first", which comes with the button that leads there.
 */
export function ProblemAlert({ problem }: { problem: Failure | string | null | undefined }) {
  if (!problem) return null;
  return (
    <p className="field-issues" role="alert">
      {typeof problem === 'string' ? problem : problem.message}
      {needsTwoFactor(problem) && (
        <>
          {' '}
          <button type="button" className="btn btn-small" onClick={openTwoFactorSetup}>
            {TWO_FACTOR_SETUP_LABEL}
          </button>
        </>
      )}
    </p>
  );
}

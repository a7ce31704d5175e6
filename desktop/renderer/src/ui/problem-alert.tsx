import {
  needsTwoFactor,
  openTwoFactorSetup,
  TWO_FACTOR_SETUP_LABEL,
} from '../runner/two-factor-required';

/**
 * A form's or page's error line, announced to screen readers; nothing when there is none. The
 * runner's "enable two-factor authentication first" comes with the button that leads there.
 */
export function ProblemAlert({ problem }: { problem: string | null | undefined }) {
  if (!problem) return null;
  return (
    <p className="field-issues" role="alert">
      {problem}
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

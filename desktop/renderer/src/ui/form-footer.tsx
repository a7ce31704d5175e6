import type { ReactNode } from 'react';
import type { Failure } from '../api/trpc-client';
import { ProblemAlert } from './problem-alert';

/**
 * The end of a form: its error line, then its buttons, the submit button last. While
 * `busy` the submit button is disabled and says `busyLabel` (when given).
 */
export function FormFooter({
  problem,
  submitLabel,
  busyLabel,
  busy = false,
  disabled = false,
  primary = false,
  children,
}: {
  problem: Failure | string | null | undefined;
  submitLabel: string;
  busyLabel?: string;
  busy?: boolean;
  disabled?: boolean;
  primary?: boolean;
  /** Other buttons, before the submit button. */
  children?: ReactNode;
}) {
  return (
    <>
      <ProblemAlert problem={problem} />
      <div className="form-actions">
        {children}
        <button
          type="submit"
          className={primary ? 'btn btn-primary' : 'btn'}
          disabled={busy || disabled}
        >
          {busy && busyLabel ? busyLabel : submitLabel}
        </button>
      </div>
    </>
  );
}

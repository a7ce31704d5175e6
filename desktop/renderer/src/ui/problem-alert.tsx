/** A form's or page's error line, announced to screen readers; nothing when there is none. */
export function ProblemAlert({ problem }: { problem: string | null | undefined }) {
  if (!problem) return null;
  return (
    <p className="field-issues" role="alert">
      {problem}
    </p>
  );
}

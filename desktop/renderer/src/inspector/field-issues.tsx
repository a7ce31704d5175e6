import type { PlacedIssue } from '../validation/issue-paths';

/** The validator's messages for one field, worded exactly as `maestro validate` prints them. */
export function FieldIssues({ id, issues }: { id: string; issues: PlacedIssue[] }) {
  if (issues.length === 0) return null;
  return (
    <ul id={id} className="field-issues" data-testid="field-issues">
      {issues.map((issue) => (
        <li key={issue.text}>{issue.text}</li>
      ))}
    </ul>
  );
}

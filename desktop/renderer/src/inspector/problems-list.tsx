import { editorStore } from '../store/editor-store';
import type { PlacedIssue } from '../validation/issue-paths';

/** Every validation error, as `maestro validate` words it; a click selects the step. */
export function ProblemsList({ issues, title }: { issues: PlacedIssue[]; title: string }) {
  return (
    <section className="problems" aria-label={title}>
      <h3 className="section-title">
        {title}{' '}
        <span className={`count ${issues.length > 0 ? 'count-bad' : 'count-ok'}`}>
          {issues.length}
        </span>
      </h3>
      {issues.length === 0 ? (
        <p className="muted small">No problems: the workflow is valid.</p>
      ) : (
        <ul className="problem-list" data-testid="problems">
          {issues.map((issue) => (
            <li key={issue.text}>
              {issue.nodeId ? (
                <button
                  type="button"
                  className="link-btn"
                  onClick={() => editorStore.getState().selectOnly([issue.nodeId!])}
                >
                  {issue.text}
                </button>
              ) : (
                <span>{issue.text}</span>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

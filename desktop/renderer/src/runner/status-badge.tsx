/** How often a workflow's run list is read again while the page is visible. */
export const REFRESH_MS = 5_000;
/**
 * The organization overview costs one request per workflow (up to 51): read less often, so
 * an open page stays well inside the runner's per-user rate limit (600 a minute by default).
 */
export const OVERVIEW_REFRESH_MS = 15_000;

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${status}`}>{status}</span>;
}

/** How often run lists and counts are read again while the page is visible (one request each). */
export const REFRESH_MS = 5_000;
/** The workflow list changes only when someone publishes: read it less often. */
export const WORKFLOWS_REFRESH_MS = 30_000;

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${status}`}>{status}</span>;
}

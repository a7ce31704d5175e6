/** How often the Executions page asks the runner again while it is visible. */
export const REFRESH_MS = 5_000;

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${status}`}>{status}</span>;
}

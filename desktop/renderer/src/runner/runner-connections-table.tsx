import { TableHead } from '../ui/table-head';
import { kindLabel } from './connection-credential-fields';
import type { ConnectionAction, RunnerConnection } from './runner-connection-dialogs';
import { when } from '../ui/format-time';

const STATUS_BADGES: Record<RunnerConnection['status'], { className: string; text: string }> = {
  ok: { className: 'badge-success', text: 'ok' },
  refresh_failed: { className: 'badge-canceled', text: 'refresh failed' },
  needs_reauthorization: { className: 'badge-failed', text: 'needs reauthorization' },
};

/** One row per connection: its health and, for roles that may, what can be done with it. */
export function RunnerConnectionsTable({
  items,
  canWrite,
  onRefresh,
  onOpen,
}: {
  items: RunnerConnection[];
  canWrite: boolean;
  onRefresh: (connection: RunnerConnection) => void;
  onOpen: (action: ConnectionAction, connection: RunnerConnection) => void;
}) {
  return (
    <table className="table" data-testid="runner-connections">
      <caption className="visually-hidden">Connections on the runner</caption>
      <TableHead
        columns={['Name', 'Kind', 'Status', 'Expires', 'Last refresh', 'Last error', 'Rate limit']}
        actions={canWrite}
      />
      <tbody>
        {items.map((c) => {
          const badge = STATUS_BADGES[c.status];
          return (
            <tr key={c.id} data-testid="runner-connection">
              <th scope="row">{c.name}</th>
              <td>{kindLabel(c.kind)}</td>
              <td>
                <span className={`badge ${badge.className}`} data-testid="connection-status">
                  {badge.text}
                </span>
              </td>
              <td>{c.oauth2 ? when(c.expiresAt) : '—'}</td>
              <td>{c.oauth2 ? when(c.lastRefreshedAt) : '—'}</td>
              <td className="connection-error">{c.lastError ?? '—'}</td>
              <td>
                {c.rateLimit
                  ? `${c.rateLimit.requests} per ${c.rateLimit.intervalSeconds} s`
                  : 'none'}
              </td>
              {canWrite && (
                <td>
                  <div className="row-actions">
                    {c.oauth2 && (
                      <button
                        type="button"
                        className="btn btn-small"
                        aria-label={`Refresh ${c.name} now`}
                        onClick={() => onRefresh(c)}
                      >
                        Refresh
                      </button>
                    )}
                    <button
                      type="button"
                      className="btn btn-small"
                      aria-label={`${c.oauth2 ? 'Authorize again' : 'Replace secrets of'} ${c.name}`}
                      onClick={() => onOpen('credentials', c)}
                    >
                      {c.oauth2 ? 'Re-authorize' : 'Secrets'}
                    </button>
                    <button
                      type="button"
                      className="btn btn-small"
                      aria-label={`Rate limit of ${c.name}`}
                      onClick={() => onOpen('rate-limit', c)}
                    >
                      Limit
                    </button>
                    <button
                      type="button"
                      className="btn btn-small btn-danger"
                      aria-label={`Delete ${c.name}`}
                      onClick={() => onOpen('delete', c)}
                    >
                      Delete
                    </button>
                  </div>
                </td>
              )}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

import { useCallback, useEffect, useState } from 'react';
import type { Failure, RouterOutputs } from '../api/trpc-client';
import { api, errorMessage, failureOf } from '../api/trpc-client';
import { ProblemAlert } from '../ui/problem-alert';
import { showToast } from '../ui/toast-store';
import { NewRunnerConnectionForm } from './new-runner-connection-form';
import type { ConnectionAction, RunnerConnection } from './runner-connection-dialogs';
import {
  DeleteConnectionDialog,
  RateLimitDialog,
  ReplaceCredentialsDialog,
} from './runner-connection-dialogs';
import { RunnerConnectionsTable } from './runner-connections-table';
import { RunnerNotReady } from './runner-not-ready';
import { activeProfile, refreshProfiles, useRunner } from './runner-store';
import { useAutoRefresh } from './use-auto-refresh';

/** The scheduler changes statuses in the background: read them again while the page shows. */
const CONNECTIONS_REFRESH_MS = 15_000;

type Abilities = RouterOutputs['runner']['connections']['abilities'];

/**
 * The runner's connections in the organization in use (credentials of published workflows'
 * `auth: { connection }`), for operators: status, OAuth 2.0 re-authorization, refreshes, rate
 * limits. The Connections page is another thing: local dry-run secrets in the OS keychain.
 */
export function RunnerConnectionsPage() {
  const profile = useRunner(activeProfile);
  useEffect(() => void refreshProfiles(), []);
  const ready = Boolean(profile?.signedIn && profile.organizationId);
  return (
    <main className="page page-wide" aria-labelledby="runner-connections-title">
      <h1 id="runner-connections-title">Runner connections</h1>
      {profile && ready ? (
        <>
          <p className="muted">
            {profile.organizationName} on {profile.name}: the credentials published workflows name
            in <code>auth: {'{ connection }'}</code>. Secrets typed here go to the runner and are
            kept nowhere on this machine; local dry-run secrets are on the Connections page.
          </p>
          <Connections key={`${profile.id}:${profile.organizationId}`} />
        </>
      ) : (
        <RunnerNotReady profile={profile} />
      )}
    </main>
  );
}

function Connections() {
  const [items, setItems] = useState<RunnerConnection[] | null>(null);
  const [abilities, setAbilities] = useState<Abilities | null>(null);
  const [problem, setProblem] = useState<Failure | null>(null);
  const [open, setOpen] = useState<{ action: ConnectionAction; id: string } | null>(null);

  const refresh = useCallback(async () => {
    try {
      setItems(await api.runner.connections.list.query());
      setProblem(null);
    } catch (error) {
      setProblem(failureOf(error));
    }
  }, []);
  useAutoRefresh(refresh, CONNECTIONS_REFRESH_MS);
  useEffect(() => {
    api.runner.connections.abilities.query().then(setAbilities, () => setAbilities(null));
  }, []);

  const forceRefresh = async (connection: RunnerConnection) => {
    try {
      const after = await api.runner.connections.refresh.mutate({ connectionId: connection.id });
      showToast(
        after.status === 'ok'
          ? {
              tone: 'success',
              message: `Refreshed “${after.name}”: token valid until ${after.expiresAt ? new Date(after.expiresAt).toLocaleString() : 'the provider revokes it'}.`,
            }
          : {
              tone: 'error',
              message: `Refreshing “${after.name}” failed (${after.status.replace(/_/g, ' ')}): ${after.lastError ?? 'no reason given'}.`,
            },
        8000,
      );
    } catch (error) {
      showToast({ tone: 'error', message: errorMessage(error) });
    }
    await refresh();
  };

  const canWrite = abilities?.canWrite ?? false;
  const attention = (items ?? []).filter((c) => c.status !== 'ok');
  const current = open && items?.find((c) => c.id === open.id);
  const dialog = current && { connection: current, onClose: () => setOpen(null), onDone: refresh };
  return (
    <>
      <ProblemAlert problem={problem} />
      {attention.length > 0 && (
        <section className="attention" aria-labelledby="attention-title" data-testid="attention">
          <h2 id="attention-title">Needs attention</h2>
          <ul>
            {attention.map((c) => (
              <li key={c.id}>
                <strong>{c.name}</strong>:{' '}
                {c.status === 'needs_reauthorization'
                  ? 'the provider refused the grant; runs using it fail until it is authorized again.'
                  : 'the last token refresh failed; the runner retries, with longer waits each time.'}{' '}
                {canWrite && (
                  <button
                    type="button"
                    className="btn btn-small btn-primary"
                    onClick={() =>
                      c.status === 'needs_reauthorization'
                        ? setOpen({ action: 'credentials', id: c.id })
                        : void forceRefresh(c)
                    }
                  >
                    {c.status === 'needs_reauthorization'
                      ? `Authorize ${c.name} again`
                      : `Retry refreshing ${c.name}`}
                  </button>
                )}
              </li>
            ))}
          </ul>
        </section>
      )}
      <section aria-labelledby="runner-connections-list-title">
        <h2 id="runner-connections-list-title">Connections</h2>
        {abilities && !canWrite && (
          <p className="hint" data-testid="runner-connections-read-only">
            Read-only: your role does not change connections.
          </p>
        )}
        {items === null ? (
          <p className="muted">{problem ? '' : 'Loading…'}</p>
        ) : items.length === 0 ? (
          <p className="muted">No connection in this organization yet.</p>
        ) : (
          <RunnerConnectionsTable
            items={items}
            canWrite={canWrite}
            onRefresh={(c) => void forceRefresh(c)}
            onOpen={(action, c) => setOpen({ action, id: c.id })}
          />
        )}
      </section>
      {canWrite && <NewRunnerConnectionForm onCreated={refresh} />}
      {dialog && open.action === 'credentials' && <ReplaceCredentialsDialog {...dialog} />}
      {dialog && open.action === 'rate-limit' && <RateLimitDialog {...dialog} />}
      {dialog && open.action === 'delete' && <DeleteConnectionDialog {...dialog} />}
    </>
  );
}

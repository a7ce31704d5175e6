import { useCallback, useEffect, useState } from 'react';
import type { RouterInputs, RouterOutputs } from '../api/trpc-client';
import { api, errorMessage } from '../api/trpc-client';
import { SelectField, TextField } from '../ui/field';
import { FormFooter } from '../ui/form-footer';
import { ProblemAlert } from '../ui/problem-alert';
import { TableHead } from '../ui/table-head';
import { showToast } from '../ui/toast-store';
import { useFormAction } from '../ui/use-form-action';

type Kind = RouterInputs['connections']['create']['kind'];

const SECRET_FIELDS: Record<
  Kind,
  { key: string; label: string; secret: boolean; optional?: boolean }[]
> = {
  bearer: [{ key: 'token', label: 'Token', secret: true }],
  apiKey: [
    { key: 'headerName', label: 'Header name', secret: false },
    { key: 'value', label: 'Key value', secret: true },
  ],
  basic: [
    { key: 'username', label: 'Username', secret: false },
    { key: 'password', label: 'Password', secret: true },
  ],
  oauth2: [
    { key: 'accessToken', label: 'Access token', secret: true },
    { key: 'refreshToken', label: 'Refresh token (optional)', secret: true, optional: true },
  ],
};

const KIND_LABELS: Record<Kind, string> = {
  bearer: 'Bearer token',
  apiKey: 'API key header',
  basic: 'Basic auth',
  oauth2: 'OAuth 2 tokens',
};

/** Connections: references in SQLite, secrets only in the OS keychain (or nowhere). */
export function ConnectionsPage() {
  const [list, setList] = useState<RouterOutputs['connections']['list']>([]);
  const [status, setStatus] = useState<RouterOutputs['connections']['status'] | null>(null);
  const [kind, setKind] = useState<Kind>('bearer');
  const [name, setName] = useState('');
  const [secret, setSecret] = useState<Record<string, string>>({});
  const [loadProblem, setLoadProblem] = useState<string | null>(null);

  const refresh = useCallback(async () => {
    const [items, keychain] = await Promise.all([
      api.connections.list.query(),
      api.connections.status.query(),
    ]);
    setList(items);
    setStatus(keychain);
  }, []);
  useEffect(() => {
    refresh().catch((error: unknown) => setLoadProblem(errorMessage(error)));
  }, [refresh]);

  const create = useFormAction(async () => {
    const fields = Object.fromEntries(
      SECRET_FIELDS[kind]
        .filter((f) => !(f.optional && !secret[f.key]))
        .map((f) => [f.key, secret[f.key] ?? '']),
    );
    await api.connections.create.mutate({
      name,
      kind,
      secret: fields,
    } as RouterInputs['connections']['create']);
    setName('');
    setSecret({});
    showToast({
      tone: 'success',
      message: `Connection “${name}” saved; its secret is in the OS keychain.`,
    });
    await refresh();
  });
  const remove = async (id: string, label: string) => {
    try {
      await api.connections.delete.mutate({ id });
      showToast({ tone: 'info', message: `Deleted connection “${label}” and its secret.` });
      await refresh();
    } catch (error) {
      showToast({ tone: 'error', message: `Could not delete: ${errorMessage(error)}` });
    }
  };

  return (
    <main className="page" aria-labelledby="connections-title">
      <h1 id="connections-title">Connections</h1>
      <p
        className={`keychain-status ${status?.keychainAvailable ? 'ok' : 'bad'}`}
        role="status"
        data-testid="keychain-status"
      >
        {status === null
          ? 'Checking the OS keychain…'
          : status.keychainAvailable
            ? 'OS keychain available: secrets are stored there, never in the workflow files or the database.'
            : `No OS keychain available${status.reason ? ` (${status.reason})` : ''}. Maestro will not store secrets anywhere else, so connections cannot be created here.`}
      </p>
      <ProblemAlert problem={loadProblem} />
      <section aria-labelledby="connections-list-title">
        <h2 id="connections-list-title">Saved connections</h2>
        {list.length === 0 ? (
          <p className="muted">No connection yet.</p>
        ) : (
          <table className="table">
            <TableHead
              columns={['Name', 'Kind', 'Id (used in auth.connection)', 'Created']}
              actions
            />
            <tbody>
              {list.map((c) => (
                <tr key={c.id}>
                  <td>{c.name}</td>
                  <td>{KIND_LABELS[c.kind as Kind] ?? c.kind}</td>
                  <td>
                    <code>{c.id}</code>
                  </td>
                  <td>{new Date(c.createdAt).toLocaleString()}</td>
                  <td>
                    <button
                      type="button"
                      className="btn btn-small btn-danger"
                      onClick={() => void remove(c.id, c.name)}
                      aria-label={`Delete connection ${c.name}`}
                    >
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="connections-new-title">
        <h2 id="connections-new-title">New connection</h2>
        <form className="form" onSubmit={create.onSubmit} aria-labelledby="connections-new-title">
          <TextField
            id="conn-name"
            label="Name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            required
          />
          <SelectField
            id="conn-kind"
            label="Kind"
            value={kind}
            onChange={(e) => {
              setKind(e.target.value as Kind);
              setSecret({});
            }}
          >
            {(Object.keys(KIND_LABELS) as Kind[]).map((k) => (
              <option key={k} value={k}>
                {KIND_LABELS[k]}
              </option>
            ))}
          </SelectField>
          {SECRET_FIELDS[kind].map((f) => (
            <TextField
              key={f.key}
              id={`conn-${f.key}`}
              label={f.label}
              type={f.secret ? 'password' : 'text'}
              autoComplete="off"
              value={secret[f.key] ?? ''}
              onChange={(e) => setSecret({ ...secret, [f.key]: e.target.value })}
            />
          ))}
          <FormFooter
            problem={create.problem}
            submitLabel="Save connection"
            busyLabel="Saving…"
            busy={create.busy}
            disabled={status?.keychainAvailable === false}
            primary
          />
        </form>
      </section>
    </main>
  );
}

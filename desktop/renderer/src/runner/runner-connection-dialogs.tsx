import type { ReactNode } from 'react';
import { useState } from 'react';
import type { RouterOutputs } from '../api/trpc-client';
import { api } from '../api/trpc-client';
import { Dialog } from '../ui/dialog';
import { SelectField } from '../ui/field';
import { FormFooter } from '../ui/form-footer';
import { showToast } from '../ui/toast-store';
import type { OAuth2Values, RateLimitValues, StaticKind } from './connection-credential-fields';
import {
  CONNECTION_KINDS,
  emptyOAuth2,
  OAUTH2_PATHS,
  OAuth2Fields,
  oauth2Of,
  RATE_LIMIT_PATHS,
  RateLimitFields,
  rateLimitOf,
  secretsOf,
  StaticSecretFields,
  staticPaths,
} from './connection-credential-fields';
import type { RunnerForm } from './use-runner-form';
import { useRunnerForm } from './use-runner-form';

export type RunnerConnection = RouterOutputs['runner']['connections']['list'][number];
/** What a row's buttons open. */
export type ConnectionAction = 'credentials' | 'rate-limit' | 'delete';

interface DialogProps {
  connection: RunnerConnection;
  onClose: () => void;
  /** After a change: the page reads the list again. */
  onDone: () => Promise<void>;
}

const STATIC_KINDS = Object.keys(CONNECTION_KINDS).filter((k) => k !== 'oauth2') as StaticKind[];

/** A dialog holding one runner form: its fields, its error line, Cancel and the submit button. */
function FormDialog({
  title,
  onClose,
  form,
  submitLabel,
  busyLabel,
  primary = false,
  extraButtons,
  children,
}: {
  title: string;
  onClose: () => void;
  form: Pick<RunnerForm, 'onSubmit' | 'problem' | 'busy'>;
  submitLabel: string;
  busyLabel: string;
  primary?: boolean;
  extraButtons?: ReactNode;
  children: ReactNode;
}) {
  return (
    <Dialog title={title} onClose={onClose}>
      <form className="form" onSubmit={form.onSubmit} aria-label={title}>
        {children}
        <FormFooter
          problem={form.problem}
          submitLabel={submitLabel}
          busyLabel={busyLabel}
          busy={form.busy}
          primary={primary}
        >
          {extraButtons}
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
        </FormFooter>
      </form>
    </Dialog>
  );
}

/**
 * New credentials for a connection: for an OAuth 2.0 one, the client and a fresh refresh token
 * from the provider's consent (how a `needs_reauthorization` connection works again).
 */
export function ReplaceCredentialsDialog({ connection, onClose, onDone }: DialogProps) {
  const isOAuth2 = connection.oauth2 !== null;
  const [oauth2, setOAuth2] = useState<OAuth2Values>(
    emptyOAuth2({
      tokenUrl: connection.oauth2?.tokenUrl,
      grant: connection.oauth2?.grant,
      clientAuth: connection.oauth2?.clientAuth,
      scope: connection.oauth2?.scope ?? undefined,
    }),
  );
  const [kind, setKind] = useState<StaticKind>(
    STATIC_KINDS.find((k) => k === connection.kind) ?? 'bearer',
  );
  const [secrets, setSecrets] = useState<Record<string, string>>({});
  const form = useRunnerForm(isOAuth2 ? OAUTH2_PATHS : staticPaths(kind), async () => {
    const saved = await api.runner.connections.replaceCredentials.mutate({
      connectionId: connection.id,
      ...(isOAuth2 ? { oauth2: oauth2Of(oauth2) } : { secrets: secretsOf(kind, secrets) }),
    });
    showToast({
      tone: 'success',
      message: `New credentials for “${connection.name}” saved on the runner (status: ${saved.status}).`,
    });
    await onDone();
    onClose();
  });
  const title = isOAuth2
    ? `Authorize “${connection.name}” again`
    : `Replace secrets of “${connection.name}”`;
  return (
    <FormDialog
      title={title}
      onClose={onClose}
      form={form}
      submitLabel="Save credentials"
      busyLabel="Saving…"
      primary
    >
      <p className="hint">
        The runner replaces every stored secret; nothing typed here is kept on this machine.
      </p>
      {isOAuth2 ? (
        <OAuth2Fields idPrefix="reauth" values={oauth2} onChange={setOAuth2} form={form} />
      ) : (
        <>
          <SelectField
            id="reauth-kind"
            label="Secret"
            value={kind}
            onChange={(e) => {
              setKind(e.target.value as StaticKind);
              setSecrets({});
            }}
          >
            {STATIC_KINDS.map((k) => (
              <option key={k} value={k}>
                {CONNECTION_KINDS[k]}
              </option>
            ))}
          </SelectField>
          <StaticSecretFields
            idPrefix="reauth"
            kind={kind}
            values={secrets}
            onChange={setSecrets}
            form={form}
          />
        </>
      )}
    </FormDialog>
  );
}

/** Sets or removes the limit every worker shares for this connection. */
export function RateLimitDialog({ connection, onClose, onDone }: DialogProps) {
  const [limit, setLimit] = useState<RateLimitValues>({
    requests: String(connection.rateLimit?.requests ?? ''),
    perSeconds: String(connection.rateLimit?.intervalSeconds ?? ''),
  });
  const save = useRunnerForm(RATE_LIMIT_PATHS, async () => {
    await api.runner.connections.setRateLimit.mutate({
      connectionId: connection.id,
      rateLimit: rateLimitOf(limit),
    });
    showToast({
      tone: 'success',
      message: `“${connection.name}”: at most ${limit.requests} requests per ${limit.perSeconds} s.`,
    });
    await onDone();
    onClose();
  });
  const remove = useRunnerForm([], async () => {
    await api.runner.connections.removeRateLimit.mutate({ connectionId: connection.id });
    showToast({ tone: 'success', message: `“${connection.name}” has no rate limit now.` });
    await onDone();
    onClose();
  });
  return (
    <FormDialog
      title={`Rate limit of “${connection.name}”`}
      onClose={onClose}
      form={{
        onSubmit: save.onSubmit,
        problem: save.problem ?? remove.problem,
        busy: save.busy || remove.busy,
      }}
      submitLabel="Save limit"
      busyLabel="Saving…"
      primary
      extraButtons={
        connection.rateLimit && (
          <button type="button" className="btn btn-danger" onClick={() => void remove.run()}>
            Remove limit
          </button>
        )
      }
    >
      <RateLimitFields idPrefix="rate" values={limit} onChange={setLimit} form={save} required />
    </FormDialog>
  );
}

/** Asks before deleting: workflows naming the connection fail at that step afterwards. */
export function DeleteConnectionDialog({ connection, onClose, onDone }: DialogProps) {
  const form = useRunnerForm([], async () => {
    await api.runner.connections.remove.mutate({ connectionId: connection.id });
    showToast({ tone: 'info', message: `Deleted connection “${connection.name}” on the runner.` });
    await onDone();
    onClose();
  });
  return (
    <FormDialog
      title={`Delete “${connection.name}”?`}
      onClose={onClose}
      form={form}
      submitLabel="Delete connection"
      busyLabel="Deleting…"
    >
      <p>
        The runner deletes the connection and its secrets. Published workflows that use{' '}
        <code>{connection.name}</code> fail at that step until a connection of that name exists
        again.
      </p>
    </FormDialog>
  );
}

import { useState } from 'react';
import { api } from '../api/trpc-client';
import { SelectField, TextField } from '../ui/field';
import { FormFooter } from '../ui/form-footer';
import { showToast } from '../ui/toast-store';
import type { ConnectionKind, OAuth2Values, RateLimitValues } from './connection-credential-fields';
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
import { useRunnerForm } from './use-runner-form';

const NO_LIMIT: RateLimitValues = { requests: '', perSeconds: '' };

/** Creates a connection on the runner; what is typed goes there and is then forgotten. */
export function NewRunnerConnectionForm({ onCreated }: { onCreated: () => Promise<void> }) {
  const [name, setName] = useState('');
  const [kind, setKind] = useState<ConnectionKind>('bearer');
  const [secrets, setSecrets] = useState<Record<string, string>>({});
  const [oauth2, setOAuth2] = useState<OAuth2Values>(emptyOAuth2());
  const [limit, setLimit] = useState<RateLimitValues>(NO_LIMIT);
  const paths = [
    'name',
    'kind',
    ...(kind === 'oauth2' ? OAUTH2_PATHS : staticPaths(kind)),
    ...RATE_LIMIT_PATHS,
  ];
  const form = useRunnerForm(paths, async () => {
    const limited = limit.requests.trim() !== '' || limit.perSeconds.trim() !== '';
    await api.runner.connections.create.mutate({
      name,
      kind,
      ...(kind === 'oauth2' ? { oauth2: oauth2Of(oauth2) } : { secrets: secretsOf(kind, secrets) }),
      ...(limited ? { rateLimit: rateLimitOf(limit) } : {}),
    });
    showToast({ tone: 'success', message: `Connection “${name}” created on the runner.` });
    setName('');
    setSecrets({});
    setOAuth2(emptyOAuth2());
    setLimit(NO_LIMIT);
    await onCreated();
  });
  return (
    <section aria-labelledby="new-runner-connection-title">
      <h2 id="new-runner-connection-title">New connection</h2>
      <form
        className="form"
        onSubmit={form.onSubmit}
        aria-labelledby="new-runner-connection-title"
        data-testid="new-runner-connection"
      >
        <TextField
          id="rc-name"
          label="Name"
          hint="What workflows name in auth: { connection }."
          required
          value={name}
          onChange={(e) => setName(e.target.value)}
          errors={form.errorsAt('name')}
        />
        <SelectField
          id="rc-kind"
          label="Kind"
          value={kind}
          onChange={(e) => {
            setKind(e.target.value as ConnectionKind);
            setSecrets({});
          }}
          errors={form.errorsAt('kind')}
        >
          {(Object.keys(CONNECTION_KINDS) as ConnectionKind[]).map((k) => (
            <option key={k} value={k}>
              {CONNECTION_KINDS[k]}
            </option>
          ))}
        </SelectField>
        {kind === 'oauth2' ? (
          <OAuth2Fields idPrefix="rc" values={oauth2} onChange={setOAuth2} form={form} />
        ) : (
          <StaticSecretFields
            idPrefix="rc"
            kind={kind}
            values={secrets}
            onChange={setSecrets}
            form={form}
          />
        )}
        <RateLimitFields idPrefix="rc-rate" values={limit} onChange={setLimit} form={form} />
        <FormFooter
          problem={form.problem}
          submitLabel="Create connection"
          busyLabel="Creating…"
          busy={form.busy}
          primary
        />
      </form>
    </section>
  );
}

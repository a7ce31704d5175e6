import type { RouterInputs } from '../api/trpc-client';
import { SelectField, TextField } from '../ui/field';
import type { RunnerForm } from './use-runner-form';

type NewConnection = RouterInputs['runner']['connections']['create'];
export type OAuth2Input = NonNullable<NewConnection['oauth2']>;
export type SecretsInput = NonNullable<NewConnection['secrets']>;

/** Static kinds name the secrets action.http reads; `oauth2` is a client the runner refreshes. */
export const CONNECTION_KINDS = {
  bearer: 'Bearer token',
  basic: 'Basic auth (username and password)',
  apiKey: 'API key header',
  oauth2: 'OAuth 2.0 client',
} as const;
export type ConnectionKind = keyof typeof CONNECTION_KINDS;
export type StaticKind = Exclude<ConnectionKind, 'oauth2'>;

export const kindLabel = (kind: string): string =>
  kind in CONNECTION_KINDS ? CONNECTION_KINDS[kind as ConnectionKind] : kind;

interface SecretField {
  key: string;
  label: string;
  /** Where the runner's problem+json points for this field. */
  path: string;
  secret: boolean;
}

const STATIC_FIELDS: Record<StaticKind, SecretField[]> = {
  bearer: [{ key: 'token', label: 'Token', path: 'secrets.token', secret: true }],
  basic: [
    { key: 'username', label: 'Username', path: 'secrets.username', secret: false },
    { key: 'password', label: 'Password', path: 'secrets.password', secret: true },
  ],
  apiKey: [
    { key: 'header', label: 'Header name', path: 'secrets.headers', secret: false },
    { key: 'value', label: 'Key value', path: 'secrets.headers.value', secret: true },
  ],
};

/** The paths of a static kind's fields (the first also takes the issues about `secrets`). */
export const staticPaths = (kind: StaticKind) => [
  'secrets',
  ...STATIC_FIELDS[kind].map((f) => f.path),
];

/** What the form holds, turned into the runner's `secrets`. */
export function secretsOf(kind: StaticKind, values: Record<string, string>): SecretsInput {
  if (kind === 'apiKey') return { headers: { [values.header ?? '']: values.value ?? '' } };
  return Object.fromEntries(STATIC_FIELDS[kind].map((f) => [f.key, values[f.key] ?? '']));
}

export function StaticSecretFields({
  idPrefix,
  kind,
  values,
  onChange,
  form,
}: {
  idPrefix: string;
  kind: StaticKind;
  values: Record<string, string>;
  onChange: (values: Record<string, string>) => void;
  form: RunnerForm;
}) {
  return (
    <>
      {STATIC_FIELDS[kind].map((f, index) => (
        <TextField
          key={f.key}
          id={`${idPrefix}-${f.key}`}
          label={f.label}
          type={f.secret ? 'password' : 'text'}
          autoComplete="off"
          required
          value={values[f.key] ?? ''}
          onChange={(e) => onChange({ ...values, [f.key]: e.target.value })}
          errors={[...(index === 0 ? form.errorsAt('secrets') : []), ...form.errorsAt(f.path)]}
        />
      ))}
    </>
  );
}

/** The OAuth 2.0 form's text, before empty optional fields are dropped. */
export interface OAuth2Values {
  tokenUrl: string;
  grant: OAuth2Input['grant'];
  clientId: string;
  clientSecret: string;
  clientAuth: NonNullable<OAuth2Input['clientAuth']>;
  scope: string;
  refreshToken: string;
}

export const emptyOAuth2 = (
  settings: Partial<Pick<OAuth2Values, 'tokenUrl' | 'grant' | 'clientAuth' | 'scope'>> = {},
): OAuth2Values => ({
  tokenUrl: settings.tokenUrl ?? '',
  grant: settings.grant ?? 'refresh_token',
  clientId: '',
  clientSecret: '',
  clientAuth: settings.clientAuth ?? 'basic',
  scope: settings.scope ?? '',
  refreshToken: '',
});

export const OAUTH2_PATHS = [
  'oauth2',
  'oauth2.tokenUrl',
  'oauth2.grant',
  'oauth2.clientId',
  'oauth2.clientSecret',
  'oauth2.clientAuth',
  'oauth2.scope',
  'oauth2.refreshToken',
];

/** The runner's `oauth2` body: optional fields left empty are left out. */
export function oauth2Of(values: OAuth2Values): OAuth2Input {
  const optional = (text: string) => (text.trim() ? text : undefined);
  return {
    tokenUrl: values.tokenUrl.trim(),
    grant: values.grant,
    clientId: values.clientId,
    clientSecret: optional(values.clientSecret),
    clientAuth: values.clientAuth,
    scope: optional(values.scope),
    refreshToken: values.grant === 'refresh_token' ? optional(values.refreshToken) : undefined,
  };
}

export function OAuth2Fields({
  idPrefix,
  values,
  onChange,
  form,
}: {
  idPrefix: string;
  values: OAuth2Values;
  onChange: (values: OAuth2Values) => void;
  form: RunnerForm;
}) {
  const set = (change: Partial<OAuth2Values>) => onChange({ ...values, ...change });
  const id = (key: string) => `${idPrefix}-oauth2-${key}`;
  return (
    <>
      <TextField
        id={id('token-url')}
        label="Token URL"
        hint="The provider's token endpoint: https (http only to this machine)."
        inputClassName="mono"
        required
        value={values.tokenUrl}
        onChange={(e) => set({ tokenUrl: e.target.value })}
        errors={[...form.errorsAt('oauth2'), ...form.errorsAt('oauth2.tokenUrl')]}
      />
      <SelectField
        id={id('grant')}
        label="Grant"
        value={values.grant}
        onChange={(e) => set({ grant: e.target.value as OAuth2Values['grant'] })}
        errors={form.errorsAt('oauth2.grant')}
      >
        <option value="refresh_token">Refresh token (a user's consent)</option>
        <option value="client_credentials">Client credentials (the client itself)</option>
      </SelectField>
      <TextField
        id={id('client-id')}
        label="Client id"
        autoComplete="off"
        required
        value={values.clientId}
        onChange={(e) => set({ clientId: e.target.value })}
        errors={form.errorsAt('oauth2.clientId')}
      />
      <TextField
        id={id('client-secret')}
        label="Client secret (optional)"
        type="password"
        autoComplete="off"
        value={values.clientSecret}
        onChange={(e) => set({ clientSecret: e.target.value })}
        errors={form.errorsAt('oauth2.clientSecret')}
      />
      <SelectField
        id={id('client-auth')}
        label="Client authentication"
        value={values.clientAuth}
        onChange={(e) => set({ clientAuth: e.target.value as OAuth2Values['clientAuth'] })}
        errors={form.errorsAt('oauth2.clientAuth')}
      >
        <option value="basic">HTTP Basic</option>
        <option value="body">Form fields</option>
      </SelectField>
      <TextField
        id={id('scope')}
        label="Scope (optional)"
        value={values.scope}
        onChange={(e) => set({ scope: e.target.value })}
        errors={form.errorsAt('oauth2.scope')}
      />
      {values.grant === 'refresh_token' && (
        <TextField
          id={id('refresh-token')}
          label="Refresh token"
          hint="From the provider's consent; the runner refreshes the access token with it."
          type="password"
          autoComplete="off"
          value={values.refreshToken}
          onChange={(e) => set({ refreshToken: e.target.value })}
          errors={form.errorsAt('oauth2.refreshToken')}
        />
      )}
    </>
  );
}

/** A rate limit as typed: two numbers, both empty for none (on a new connection). */
export interface RateLimitValues {
  requests: string;
  perSeconds: string;
}

export const RATE_LIMIT_PATHS = ['rateLimit', 'rateLimit.requests', 'rateLimit.intervalSeconds'];

/** The runner's `rateLimit`; an empty number goes as 0 for the runner to name the field. */
export const rateLimitOf = (values: RateLimitValues) => ({
  requests: Number(values.requests || 0),
  intervalSeconds: Number(values.perSeconds || 0),
});

export function RateLimitFields({
  idPrefix,
  values,
  onChange,
  form,
  required = false,
}: {
  idPrefix: string;
  values: RateLimitValues;
  onChange: (values: RateLimitValues) => void;
  form: RunnerForm;
  required?: boolean;
}) {
  const optional = required ? '' : ' (optional)';
  return (
    <>
      <TextField
        id={`${idPrefix}-requests`}
        label={`Rate limit: requests${optional}`}
        type="number"
        min={1}
        required={required}
        inputClassName="input-number"
        value={values.requests}
        onChange={(e) => onChange({ ...values, requests: e.target.value })}
        errors={[...form.errorsAt('rateLimit'), ...form.errorsAt('rateLimit.requests')]}
      />
      <TextField
        id={`${idPrefix}-interval`}
        label={`Rate limit: per seconds${optional}`}
        hint="Steps over the limit wait for their turn (they do not fail), on every worker together."
        type="number"
        min={1}
        required={required}
        inputClassName="input-number"
        value={values.perSeconds}
        onChange={(e) => onChange({ ...values, perSeconds: e.target.value })}
        errors={form.errorsAt('rateLimit.intervalSeconds')}
      />
    </>
  );
}

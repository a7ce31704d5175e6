import { z } from 'zod';

/**
 * What an operator sees of a connection's health (decision 0017): `ok`; `refresh_failed` (the
 * runner retries with backoff); `needs_reauthorization` (the provider refused the grant: replace
 * the credentials).
 * @example ConnectionStatus.parse('needs_reauthorization')
 */
export const ConnectionStatus = z.enum(['ok', 'refresh_failed', 'needs_reauthorization']);
export type ConnectionStatus = z.infer<typeof ConnectionStatus>;

/**
 * The OAuth 2.0 grants a connection refreshes its access token with (RFC 6749 §6, §4.4).
 * @example OAuth2Grant.options // ['refresh_token', 'client_credentials']
 */
export const OAuth2Grant = z.enum(['refresh_token', 'client_credentials']);
export type OAuth2Grant = z.infer<typeof OAuth2Grant>;

/**
 * How the client authenticates to the token endpoint (RFC 6749 §2.3.1): HTTP Basic or form fields.
 * @example OAuth2ClientAuth.parse('basic')
 */
export const OAuth2ClientAuth = z.enum(['basic', 'body']);
export type OAuth2ClientAuth = z.infer<typeof OAuth2ClientAuth>;

/** The kind of a connection whose credentials are an OAuth 2.0 client. @example OAUTH2_KIND === 'oauth2' */
export const OAUTH2_KIND = 'oauth2';

/**
 * At most `requests` step runs using the connection per `intervalSeconds`, all workers together.
 * @example ConnectionRateLimit.parse({ requests: 10, intervalSeconds: 60 })
 */
export const ConnectionRateLimit = z.object({ requests: z.int(), intervalSeconds: z.int() });
export type ConnectionRateLimit = z.infer<typeof ConnectionRateLimit>;

/**
 * A connection of the organization (`GET /v1/connections/{id}`): never a secret value, only the
 * names of the stored fields and, for OAuth 2.0, the non-secret settings and the token's health.
 * @example ConnectionInfo.parse(json).status === 'ok'
 */
export const ConnectionInfo = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.string(),
    connectorId: z.string().nullable(),
    secretFields: z
      .array(z.string())
      .describe('names of the stored secret fields (values are never returned)'),
    oauth2: z
      .object({
        tokenUrl: z.string(),
        grant: OAuth2Grant,
        scope: z.string().nullable(),
        clientAuth: OAuth2ClientAuth,
      })
      .nullable()
      .describe('the non-secret settings of an OAuth 2.0 connection'),
    status: ConnectionStatus.describe(
      'ok; refresh_failed (retried with backoff); needs_reauthorization (replace the credentials)',
    ),
    expiresAt: z.string().nullable().describe('when the access token expires (OAuth 2.0)'),
    lastRefreshedAt: z.string().nullable(),
    lastError: z.string().nullable().describe('why the last refresh failed (never a token)'),
    rateLimit: ConnectionRateLimit.nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'Connection' });
export type ConnectionInfo = z.infer<typeof ConnectionInfo>;

/**
 * `GET /v1/connections`: the organization's connections, newest first.
 * @example ConnectionList.parse(json).items.filter((c) => c.status !== 'ok')
 */
export const ConnectionList = z.object({ items: z.array(ConnectionInfo) });
export type ConnectionList = z.infer<typeof ConnectionList>;

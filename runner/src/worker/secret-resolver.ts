import type { MikroORM } from '@mikro-orm/postgresql';
import type {
  HttpClient,
  ResolvedConnection,
  SecretResolver,
} from '../../../shared/src/engine/host';
import { StepError } from '../../../shared/src/engine/step-error';
import { freshOAuth2Secret, type OAuth2Row } from '../connections/access-token';
import { openConnectionSecret } from '../connections/connection-secret';
import { OAUTH2_KIND, oauth2SecretValues } from '../connections/oauth2-credentials';
import { waitForRateLimitSlot } from '../connections/rate-limit';
import type { SecretBox } from '../crypto/secret-box';
import { withOrgContext } from '../db/org-context';

/**
 * The decrypted secret of a Connection. Recognised fields: `token` (Bearer),
 * `username` + `password` (Basic), `headers`, `query`. Every string value in
 * it is treated as secret (redacted from results and logs).
 */
interface ConnectionSecret {
  token?: string;
  username?: string;
  password?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
}

/**
 * Resolves `auth: { connection }` for one organization's run: looks the
 * connection up by id or by name inside that organization only (RLS and the
 * org filter apply), then opens its sealed secret. An OAuth 2.0 connection
 * gives its access token as a Bearer header, refreshed first through
 * `tokenHttp` (the run's SSRF-guarded client) when it is about to expire.
 * A connection with a rate limit first waits for its slot: each step run (each
 * forEach element) using it takes one; retries of that run take none.
 */
export function createSecretResolver(
  orm: MikroORM,
  box: SecretBox,
  organizationId: string,
  tokenHttp: HttpClient,
): SecretResolver {
  return {
    async resolveConnection(reference, signal) {
      const row = await withOrgContext(orm, organizationId, async (em) => {
        const isUuid = /^[0-9a-f-]{36}$/i.test(reference);
        const rows = await em.execute<
          (OAuth2Row & {
            kind: string;
            rate_limit_requests: number | null;
            rate_limit_interval_ms: number | null;
          })[]
        >(
          `select id, name, kind, secret_enc, status, expires_at, last_error, rate_limit_requests,
                  rate_limit_interval_ms from connections
            where organization_id = ? and (${isUuid ? 'id = ?::uuid or ' : ''}name = ?) limit 1`,
          isUuid ? [organizationId, reference, reference] : [organizationId, reference],
        );
        return rows[0];
      });
      if (!row)
        throw new StepError('VALIDATION', `connection "${reference}" does not exist`, {
          retryable: false,
        });
      if (row.rate_limit_requests && row.rate_limit_interval_ms) {
        const limit = { requests: row.rate_limit_requests, intervalMs: row.rate_limit_interval_ms };
        await waitForRateLimitSlot(orm, organizationId, row.id, limit, signal);
      }
      if (row.kind === OAUTH2_KIND) {
        const deps = { orm, box, http: tokenHttp };
        const secret = await freshOAuth2Secret(deps, organizationId, row, signal);
        const bearer = `Bearer ${secret.accessToken ?? ''}`;
        return {
          headers: { authorization: bearer },
          secrets: [bearer, ...oauth2SecretValues(secret)],
        };
      }
      return toResolved(openConnectionSecret<ConnectionSecret>(box, row.id, row.secret_enc));
    },
  };
}

export function toResolved(secret: ConnectionSecret): ResolvedConnection {
  const headers: Record<string, string> = { ...secret.headers };
  if (secret.token) headers.authorization = `Bearer ${secret.token}`;
  if (secret.username !== undefined && secret.password !== undefined) {
    headers.authorization = `Basic ${Buffer.from(`${secret.username}:${secret.password}`).toString('base64')}`;
  }
  const secrets = collectStrings(secret).concat(Object.values(headers));
  return {
    headers,
    query: secret.query,
    secrets: [...new Set(secrets)].filter((s) => s.length > 0),
  };
}

function collectStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value && typeof value === 'object') return Object.values(value).flatMap(collectStrings);
  return [];
}

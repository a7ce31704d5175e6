import type { MikroORM } from '@mikro-orm/postgresql';
import type { HttpClient } from '../../../shared/src/engine/host';
import { StepError } from '../../../shared/src/engine/step-error';
import type { SecretBox } from '../crypto/secret-box';
import { withOrgContext } from '../db/org-context';
import { openConnectionSecret } from './connection-secret';
import type { OAuth2Secret } from './oauth2-credentials';
import {
  LOCKED_CONNECTION_COLUMNS,
  refreshLockedConnection,
  type LockedConnection,
} from './token-refresh';

/** A token closer than this to its expiry is refreshed before a run uses it. */
export const INLINE_REFRESH_MARGIN_MS = 60_000;

export interface OAuth2Row {
  id: string;
  name: string;
  secret_enc: string;
  status: string;
  /** A timestamp as the driver returns it from raw SQL (text). */
  expires_at: string | Date | null;
  last_error: string | null;
}

/**
 * The OAuth 2.0 secret a run may use now. Usually the stored one; when its access token is
 * missing, expired or within a minute of it, the connection is refreshed inline — single-flight
 * across workers: under the row lock the token is checked again, so the workers that waited on
 * the first one's refresh use its token instead of refreshing once more.
 */
export async function freshOAuth2Secret(
  deps: { orm: MikroORM; box: SecretBox; http: HttpClient },
  organizationId: string,
  row: OAuth2Row,
  signal?: AbortSignal,
): Promise<OAuth2Secret> {
  refuseUnauthorized(row);
  const stored = openConnectionSecret<OAuth2Secret>(deps.box, row.id, row.secret_enc);
  if (isFresh(stored, row.expires_at)) return stored;
  // The outcome leaves the transaction first: a failure is recorded (committed), then thrown.
  const outcome = await withOrgContext(deps.orm, organizationId, async (em) => {
    const [locked] = await em.execute<(LockedConnection & { last_error: string | null })[]>(
      `select ${LOCKED_CONNECTION_COLUMNS}, c.last_error
         from connections c join organizations o on o.id = c.organization_id
        where c.id = ? and c.organization_id = ? for update of c`,
      [row.id, organizationId],
    );
    if (!locked) throw new StepError('VALIDATION', `connection "${row.name}" does not exist`);
    refuseUnauthorized({ ...locked, name: row.name });
    const current = openConnectionSecret<OAuth2Secret>(deps.box, locked.id, locked.secret_enc);
    if (isFresh(current, locked.expires_at)) return { ok: true as const, secret: current };
    return refreshLockedConnection(em, deps, locked, signal);
  });
  if (outcome.ok) return outcome.secret;
  if (outcome.status === 'needs_reauthorization')
    throw new StepError(
      'VALIDATION',
      `connection "${row.name}" needs to be authorized again: ${outcome.error}`,
      { retryable: false },
    );
  throw new StepError(
    'NETWORK',
    `connection "${row.name}": token refresh failed: ${outcome.error}`,
  );
}

function isFresh(secret: OAuth2Secret, expiresAt: string | Date | null): boolean {
  if (!secret.accessToken) return false;
  return !expiresAt || new Date(expiresAt).getTime() - Date.now() > INLINE_REFRESH_MARGIN_MS;
}

function refuseUnauthorized(row: { name: string; status: string; last_error: string | null }) {
  if (row.status === 'needs_reauthorization')
    throw new StepError(
      'VALIDATION',
      `connection "${row.name}" needs to be authorized again${row.last_error ? ` (${row.last_error})` : ''}`,
      { retryable: false },
    );
}

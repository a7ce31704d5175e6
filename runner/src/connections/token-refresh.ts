import type { EntityManager } from '@mikro-orm/postgresql';
import type { HttpClient } from '../../../shared/src/engine/host';
import { connectionSecretContext } from '../crypto/contexts';
import type { SecretBox } from '../crypto/secret-box';
import { newId } from '../db/ids';
import {
  OAuth2ClientAuth,
  OAuth2Grant,
  type ConnectionStatus,
  type OAuth2Secret,
  type OAuth2Settings,
} from './oauth2-credentials';
import { openConnectionSecret } from './connection-secret';
import { requestToken, TokenRequestError } from './token-endpoint';

const DAY_MS = 86_400_000;
const MAX_BACKOFF_MS = 3_600_000;

/** One OAuth 2.0 connection, read with its row locked (`for update`). */
export interface LockedConnection {
  id: string;
  organization_id: string;
  name: string;
  secret_enc: string;
  token_url: string | null;
  grant_type: string | null;
  scope: string | null;
  client_auth: string | null;
  status: ConnectionStatus;
  /** A timestamp as the driver returns it from raw SQL (text). */
  expires_at: string | Date | null;
  refresh_failures: number;
  allow_private_network: boolean;
}

/** The select list of LockedConnection (`c` = connections, `o` = organizations). */
export const LOCKED_CONNECTION_COLUMNS = `c.id, c.organization_id, c.name, c.secret_enc, c.token_url,
  c.grant_type, c.scope, c.client_auth, c.status, c.expires_at, c.refresh_failures, o.allow_private_network`;

export type RefreshOutcome =
  | { ok: true; accessToken: string; expiresAt: Date | null; secret: OAuth2Secret }
  | { ok: false; status: Exclude<ConnectionStatus, 'ok'>; error: string };

/**
 * When the scheduler refreshes a token expiring at `expiresAt`: 24 h before, or half way through
 * its life for tokens that live less than two days (a one-hour token would otherwise be due the
 * moment it is issued). Null when the expiry is unknown: the worker refreshes on demand only.
 */
export function refreshDueAt(expiresAt: Date | null, lifetimeMs?: number): Date | null {
  if (!expiresAt) return null;
  const lead = lifetimeMs === undefined ? DAY_MS : Math.min(DAY_MS, lifetimeMs / 2);
  return new Date(expiresAt.getTime() - lead);
}

/** 1, 2, 4 ... minutes after each consecutive failure, at most an hour. */
export function backoffMs(failures: number): number {
  return Math.min(60_000 * 2 ** Math.max(0, failures - 1), MAX_BACKOFF_MS);
}

export function settingsOf(row: LockedConnection): OAuth2Settings {
  return {
    tokenUrl: row.token_url ?? '',
    grant: OAuth2Grant.catch('refresh_token').parse(row.grant_type),
    scope: row.scope,
    clientAuth: OAuth2ClientAuth.catch('basic').parse(row.client_auth),
  };
}

/**
 * Refreshes a connection whose row the caller holds locked, and records the outcome in the same
 * transaction: the new access token (and a rotated refresh token, RFC 6749 §6) sealed, the
 * expiry and next due time on success; on failure the status, a redacted error and the backoff.
 * `invalid_grant` and the like mark it `needs_reauthorization`, which stops the refreshes until
 * the operator replaces the credentials (the scheduler tells the owners).
 */
export async function refreshLockedConnection(
  em: EntityManager,
  deps: { box: SecretBox; http: HttpClient; actorUserId?: string | null },
  row: LockedConnection,
  signal?: AbortSignal,
): Promise<RefreshOutcome> {
  let secret: OAuth2Secret;
  try {
    secret = openConnectionSecret<OAuth2Secret>(deps.box, row.id, row.secret_enc);
  } catch {
    return recordFailure(em, row, new TokenRequestError('the secret cannot be decrypted', false));
  }
  const startedAt = Date.now();
  try {
    const issued = await requestToken(deps.http, settingsOf(row), secret, signal);
    const next: OAuth2Secret = {
      ...secret,
      accessToken: issued.accessToken,
      ...(issued.refreshToken ? { refreshToken: issued.refreshToken } : {}),
    };
    const lifetimeMs = issued.expiresIn === undefined ? undefined : issued.expiresIn * 1000;
    const expiresAt = lifetimeMs === undefined ? null : new Date(startedAt + lifetimeMs);
    await em.execute(
      `update connections set secret_enc = ?, status = 'ok', expires_at = ?, refresh_due_at = ?,
         last_refreshed_at = now(), last_error = null, refresh_failures = 0, reauth_notified_at = null
       where id = ?`,
      [
        deps.box.sealJson(next, connectionSecretContext(row.id)),
        expiresAt,
        refreshDueAt(expiresAt, lifetimeMs),
        row.id,
      ],
    );
    return { ok: true, accessToken: issued.accessToken, expiresAt, secret: next };
  } catch (error) {
    if (!(error instanceof TokenRequestError)) throw error;
    return recordFailure(em, row, error, deps.actorUserId ?? null);
  }
}

async function recordFailure(
  em: EntityManager,
  row: LockedConnection,
  error: TokenRequestError,
  actorUserId: string | null = null,
): Promise<RefreshOutcome> {
  const failures = row.refresh_failures + 1;
  const status = error.needsReauthorization ? 'needs_reauthorization' : 'refresh_failed';
  await em.execute(
    `update connections set status = ?, last_error = ?, refresh_failures = ?,
       refresh_due_at = ?, reauth_notified_at = null where id = ?`,
    [
      status,
      error.message,
      failures,
      status === 'needs_reauthorization' ? null : new Date(Date.now() + backoffMs(failures)),
      row.id,
    ],
  );
  if (status === 'needs_reauthorization' && row.status !== 'needs_reauthorization') {
    await em.execute(
      `insert into audit_events (id, organization_id, actor_user_id, action, target_type, target_id, details, at)
       values (?, ?, ?, 'connection.needs_reauthorization', 'connection', ?, ?::jsonb, now())`,
      [newId(), row.organization_id, actorUserId, row.id, JSON.stringify({ error: error.message })],
    );
  }
  return { ok: false, status, error: error.message };
}

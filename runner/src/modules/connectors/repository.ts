import type { EntityManager } from '@mikro-orm/postgresql';
import type { OAuth2Secret } from '../../connections/oauth2-credentials';
import { OAUTH2_KIND } from '../../connections/oauth2-credentials';
import { refreshDueAt } from '../../connections/token-refresh';
import { connectionSecretContext } from '../../crypto/contexts';
import type { SecretBox } from '../../crypto/secret-box';
import type { ConnectionEntity } from '../../db/entities';
import { AuditEvent } from '../../db/entities/audit';
import { Connection } from '../../db/entities/connector';
import { newId } from '../../db/ids';
import { conflict } from '../../http/problem';
import type { OAuth2Body, RateLimitBody } from './schemas';

/** A connection's credentials: the static secret fields, or an OAuth 2.0 client and its tokens. */
export type Credentials = { secrets: Record<string, unknown> } | { oauth2: OAuth2Body };

/** Seals the secrets bound to the new row's id, so the ciphertext opens for this connection only. */
export async function createConnection(
  em: EntityManager,
  box: SecretBox,
  input: {
    orgId: string;
    name: string;
    kind: string;
    connectorId: string | null;
    credentials: Credentials;
    rateLimit?: RateLimitBody;
    actor: string | null;
  },
): Promise<ConnectionEntity> {
  if (await em.findOne(Connection, { name: input.name }))
    throw conflict(`a connection named "${input.name}" exists`);
  const id = newId();
  const connection = em.create(Connection, {
    id,
    organizationId: input.orgId,
    connectorId: input.connectorId,
    name: input.name,
    kind: input.kind,
    secretEnc: '',
  });
  if (input.rateLimit) applyRateLimit(connection, input.rateLimit);
  const fields = applyCredentials(box, connection, input.credentials);
  em.create(AuditEvent, {
    organizationId: input.orgId,
    actorUserId: input.actor,
    action: 'connection.created',
    targetType: 'connection',
    targetId: id,
    // Field names only: values never reach logs or audit rows.
    details: { fields },
  });
  await em.flush();
  return connection;
}

/**
 * Seals new credentials into the connection (an OAuth 2.0 one starts over: status ok, refresh
 * due 24 h before the given expiry, or now when no access token was given). Returns the names of
 * the sealed fields, for the audit row.
 */
export function applyCredentials(
  box: SecretBox,
  c: ConnectionEntity,
  credentials: Credentials,
): string[] {
  if ('secrets' in credentials) {
    c.secretEnc = box.sealJson(credentials.secrets, connectionSecretContext(c.id));
    return Object.keys(credentials.secrets);
  }
  const o = credentials.oauth2;
  const secret: OAuth2Secret = {
    clientId: o.clientId,
    ...(o.clientSecret ? { clientSecret: o.clientSecret } : {}),
    ...(o.refreshToken ? { refreshToken: o.refreshToken } : {}),
    ...(o.accessToken ? { accessToken: o.accessToken } : {}),
  };
  const expiresAt = o.expiresAt ? new Date(o.expiresAt) : null;
  Object.assign(c, {
    kind: OAUTH2_KIND,
    secretEnc: box.sealJson(secret, connectionSecretContext(c.id)),
    tokenUrl: o.tokenUrl,
    grantType: o.grant,
    scope: o.scope ?? null,
    clientAuth: o.clientAuth,
    status: 'ok',
    expiresAt,
    refreshDueAt: o.accessToken ? refreshDueAt(expiresAt) : new Date(),
    lastError: null,
    refreshFailures: 0,
    reauthNotifiedAt: null,
  });
  return Object.keys(secret);
}

export function applyRateLimit(c: ConnectionEntity, limit: RateLimitBody | null): void {
  c.rateLimitRequests = limit?.requests ?? null;
  c.rateLimitIntervalMs = limit ? limit.intervalSeconds * 1000 : null;
}

export function secretFieldsOf(box: SecretBox, c: ConnectionEntity): string[] {
  try {
    return Object.keys(
      box.openJson<Record<string, unknown>>(c.secretEnc, connectionSecretContext(c.id)),
    );
  } catch {
    return [];
  }
}

import { defineEntity, p } from '@mikro-orm/core';
import { generatedId, insertedAt } from './columns';

export const Connector = defineEntity({
  name: 'Connector',
  tableName: 'connectors',
  properties: {
    id: generatedId(),
    organizationId: p.uuid().index(),
    name: p.string(),
    kind: p.string(),
    /** Non-secret settings only. */
    config: p.json<Record<string, unknown>>().default('{}'),
    createdAt: insertedAt(),
  },
});

/**
 * Credentials: `secretEnc` is a sealed secret-box string and never leaves the server. OAuth 2.0
 * connections (`kind: 'oauth2'`, decision 0017) keep their token endpoint settings and refresh
 * state in plain columns; their client secret and tokens stay in `secretEnc`.
 */
export const Connection = defineEntity({
  name: 'Connection',
  tableName: 'connections',
  uniques: [{ properties: ['organizationId', 'name'] }],
  properties: {
    id: generatedId(),
    organizationId: p.uuid().index(),
    connectorId: p.uuid().nullable(),
    name: p.string(),
    kind: p.string(),
    secretEnc: p.text().hidden(),
    tokenUrl: p.text().nullable(),
    grantType: p.string().length(32).nullable(),
    scope: p.text().nullable(),
    clientAuth: p.string().length(16).nullable(),
    /** ok | refresh_failed | needs_reauthorization (connections/connection-status.ts). */
    status: p.string().length(32).default('ok'),
    /** When the access token expires, when known. */
    expiresAt: p.datetime().nullable(),
    /** When the scheduler refreshes next (24 h before expiry, or after a backoff). */
    refreshDueAt: p.datetime().nullable(),
    lastRefreshedAt: p.datetime().nullable(),
    /** Why the last refresh failed, without any token or secret. */
    lastError: p.text().nullable(),
    refreshFailures: p.integer().default(0),
    /** Set once the owners were told about `needs_reauthorization`. */
    reauthNotifiedAt: p.datetime().nullable(),
    /** At most this many step runs using the connection per interval (all workers together). */
    rateLimitRequests: p.integer().nullable(),
    rateLimitIntervalMs: p.integer().nullable(),
    createdAt: insertedAt(),
  },
});

/** The times (epoch ms) of the latest slots taken under a connection's rate limit. */
export const ConnectionRateSlots = defineEntity({
  name: 'ConnectionRateSlots',
  tableName: 'connection_rate_slots',
  properties: {
    connectionId: p.uuid().primary(),
    organizationId: p.uuid().index(),
    slots: p.json<number[]>().default('[]'),
  },
});

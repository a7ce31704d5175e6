import { defineEntity, p } from '@mikro-orm/core';
import { generatedId, insertedAt } from './columns';

/** Platform-wide tables (no organization_id): plans, users, refresh tokens. */

export const Plan = defineEntity({
  name: 'Plan',
  tableName: 'plans',
  properties: {
    id: p.string().length(64).primary(),
    name: p.string(),
    maxConcurrentExecutions: p.integer().default(10),
    /** Executions an organization on this plan may start per calendar month (UTC); null = unlimited. */
    maxExecutionsPerMonth: p.integer().nullable(),
  },
});

export const User = defineEntity({
  name: 'User',
  tableName: 'users',
  properties: {
    id: generatedId(),
    /** Stored lower-cased; unique. */
    email: p.string().unique(),
    name: p.string(),
    passwordHash: p.string().nullable().hidden(),
    emailVerifiedAt: p.datetime().nullable(),
    /** Platform administrator (docs/decisions: platform admin), granted by `maestro-runner grant-admin`. */
    platformAdmin: p.boolean().default(false),
    /** Set by a platform admin: the account cannot sign in and its tokens stop working. */
    disabledAt: p.datetime().nullable(),
    createdAt: insertedAt(),
  },
});

/** A refresh token's hash; a reused (already rotated) token revokes its whole family. */
export const RefreshToken = defineEntity({
  name: 'RefreshToken',
  tableName: 'refresh_tokens',
  properties: {
    id: generatedId(),
    userId: p.uuid().index(),
    familyId: p.uuid().index(),
    hash: p.string().unique(),
    expiresAt: p.datetime(),
    usedAt: p.datetime().nullable(),
    revokedAt: p.datetime().nullable(),
    createdAt: insertedAt(),
  },
});

import { defineEntity, p } from '@mikro-orm/core';
import { generatedId, insertedAt } from './columns';

export const ROLES = ['owner', 'admin', 'member'] as const;
export type Role = (typeof ROLES)[number];

export const Organization = defineEntity({
  name: 'Organization',
  tableName: 'organizations',
  properties: {
    id: generatedId(),
    name: p.string(),
    planId: p.string().length(64).default('free'),
    /** Overrides the plan's max_concurrent_executions when set. */
    concurrencyLimit: p.integer().nullable(),
    /** Lets this organization's HTTP steps reach private networks (SSRF guard exception). */
    allowPrivateNetwork: p.boolean().default(false),
    /** CIDRs allowed to call the API for this organization; null = any (runner/src/identity). */
    apiIpAllowlist: p.json<string[]>().nullable(),
    /** CIDRs allowed to call this organization's webhooks; null = any. */
    webhookIpAllowlist: p.json<string[]>().nullable(),
    createdAt: insertedAt(),
  },
});

export const Membership = defineEntity({
  name: 'Membership',
  tableName: 'memberships',
  uniques: [{ properties: ['organizationId', 'userId'] }],
  properties: {
    id: generatedId(),
    organizationId: p.uuid().index(),
    userId: p.uuid().index(),
    /** The built-in role; `member` when `roleId` names a custom role (whose permissions apply). */
    role: p.enum([...ROLES]),
    roleId: p.uuid().nullable(),
    createdAt: insertedAt(),
  },
});

/** An organization-bound API key: only `prefix` and a SHA-256 `hash` are stored. */
export const ApiKey = defineEntity({
  name: 'ApiKey',
  tableName: 'api_keys',
  properties: {
    id: generatedId(),
    organizationId: p.uuid().index(),
    name: p.string(),
    prefix: p.string().length(32),
    hash: p.string().unique().hidden(),
    /** The role the key acts with (a subset of its creator's). */
    scopes: p.json<string[]>().default('[]'),
    expiresAt: p.datetime().nullable(),
    lastUsedAt: p.datetime().nullable(),
    revokedAt: p.datetime().nullable(),
    createdBy: p.uuid().nullable(),
    createdAt: insertedAt(),
  },
});

import type { Role } from '../db/entities/tenancy';

/** Everything a route inside an organization may require. */
export const PERMISSIONS = [
  'workflows:read',
  'workflows:write',
  /** Restrict workflows to named members; holders see every workflow, restricted or not. */
  'workflows:share',
  'executions:read',
  'executions:run',
  'executions:cancel',
  'connectors:read',
  'connectors:write',
  /** Organization variables (`env` of runs): members read them; writing is for owners and admins. */
  'variables:read',
  'variables:write',
  'members:read',
  'members:manage',
  'api-keys:manage',
  'audit:read',
  'notifications:read',
  /** Outgoing event webhooks (decision 0019): owners and admins. */
  'event-subscriptions:manage',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const MEMBER: Permission[] = [
  'workflows:read',
  'workflows:write',
  'executions:read',
  'executions:run',
  'executions:cancel',
  'connectors:read',
  'connectors:write',
  // Not variables:write: a variable feeds every workflow of the organization (docs/runner.md).
  'variables:read',
  'members:read',
  'notifications:read',
];

/** The permission table: a role has exactly these; anything else is denied. */
export const ROLE_PERMISSIONS: Record<Role, ReadonlySet<Permission>> = {
  owner: new Set(PERMISSIONS),
  // Platform administrators act like owners in organizations they belong to.
  admin: new Set(PERMISSIONS),
  member: new Set(MEMBER),
};

export function isPermission(value: string): value is Permission {
  return (PERMISSIONS as readonly string[]).includes(value);
}

/**
 * What a membership may do: its custom role's permissions when it has one (stored lists are
 * filtered to the known permissions, so a permission removed from the code is no longer
 * granted), else its built-in role's.
 */
export function grantedPermissions(
  role: Role,
  customPermissions: readonly string[] | null,
): ReadonlySet<Permission> {
  return customPermissions
    ? new Set(customPermissions.filter(isPermission))
    : ROLE_PERMISSIONS[role];
}

/** The permissions in `wanted` that `held` lacks: granting any of them would be an escalation. */
export function missingPermissions(
  held: ReadonlySet<Permission>,
  wanted: Iterable<Permission>,
): Permission[] {
  return [...wanted].filter((p) => !held.has(p));
}

/**
 * What a route declares in `config.access` (checked at registration: a /v1 route
 * without it makes the app refuse to start, so nothing is public by accident).
 * - `public`: no credentials (register, login, refresh; webhooks authenticate by token)
 * - `user`: a user access token, no organization (create an organization)
 * - `platform-admin`: a user access token of a platform administrator with 2FA enabled
 *   (modules/admin: users.platform_admin, granted by `maestro-runner grant-admin`)
 * - a Permission: credentials + an organization scope whose role grants it
 */
export type Access = 'public' | 'user' | 'platform-admin' | Permission;

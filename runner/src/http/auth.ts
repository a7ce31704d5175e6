import type { EntityManager } from '@mikro-orm/postgresql';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CustomRole } from '../db/entities/custom-role';
import { ApiKey, Membership } from '../db/entities/tenancy';
import { withOrgContext, withSystemContext } from '../db/org-context';
import type { OrganizationAllowlists } from '../identity/ip-allowlist';
import {
  assertAccountActive,
  assertPlatformAdmin,
  type AccountStatus,
} from '../modules/admin/platform-admins';
import { isApiKey, sha256, verifyAccessToken } from '../modules/auth/tokens';
import { grantedPermissions, isPermission } from './permissions';
import { forbidden, notFound, unauthorized } from './problem';
import type { MembershipGrant, OrgScope, Principal } from './request-context';
import { TtlCache } from './ttl-cache';

/**
 * How long a credential lookup (membership, API key, account status, IP allowlist) is reused
 * when an invalidation is missed; changes normally reach every process at commit
 * (http/credential-invalidation.ts).
 */
export const CREDENTIAL_CACHE_TTL_MS = 5_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Routes served by plugins (docs) rather than declared by the app.
const UNDECLARED_OK = [/^\/v1\/docs/, /^\/v1\/openapi\.json$/];

/**
 * Authentication and authorization for every route, deny by default:
 * each /v1 route must declare `config.access`, and the hook enforces it before the body is read.
 */
export function installAuth(app: FastifyInstance): void {
  app.decorate('credentialCache', {
    memberships: new TtlCache<MembershipGrant | null>(CREDENTIAL_CACHE_TTL_MS),
    apiKeys: new TtlCache<Principal | null>(CREDENTIAL_CACHE_TTL_MS),
    accounts: new TtlCache<AccountStatus>(CREDENTIAL_CACHE_TTL_MS),
    ipAllowlists: new TtlCache<OrganizationAllowlists>(CREDENTIAL_CACHE_TTL_MS),
  });
  app.decorateRequest('principal', null);
  app.decorateRequest('org', null);

  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/v1') || UNDECLARED_OK.some((re) => re.test(route.url))) return;
    if (!route.config?.access) {
      throw new Error(
        `route ${route.method} ${route.url} declares no config.access (deny by default)`,
      );
    }
  });

  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config?.access;
    if (!access || access === 'public') return;
    request.principal = await authenticate(app, request);
    if (access === 'user' || access === 'platform-admin') {
      if (request.principal.kind !== 'user')
        throw forbidden('this action needs a user access token, not an API key');
      if (access === 'platform-admin') await assertPlatformAdmin(app, request.principal.userId);
      return;
    }
    request.org = await resolveOrgScope(app, request, request.principal);
    if (!request.org.permissions.has(access))
      throw forbidden(`this action needs the ${access} permission`);
  });
}

/** The caller's credentials (401 when missing or invalid); also for `public` routes that take optional ones. */
export async function authenticate(
  app: FastifyInstance,
  request: FastifyRequest,
): Promise<Principal> {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (!match) throw unauthorized('send Authorization: Bearer <access token or API key>');
  const token = match[1]!;
  if (isApiKey(token)) {
    const hash = sha256(token);
    let principal = app.credentialCache.apiKeys.get(hash);
    if (principal === undefined) {
      principal = await authenticateApiKey(app, hash);
      app.credentialCache.apiKeys.set(hash, principal);
    }
    if (!principal) throw unauthorized('the API key is invalid, revoked or expired');
    return principal;
  }
  const claims = await verifyAccessToken(app.runnerConfig, token);
  if (!claims) throw unauthorized('the access token is invalid or expired');
  await assertAccountActive(app, claims.userId);
  return { kind: 'user', userId: claims.userId };
}

async function authenticateApiKey(app: FastifyInstance, hash: string): Promise<Principal | null> {
  // The key names its organization, so the lookup by hash is the one cross-organization read here.
  const key = await withSystemContext(app.orm, async (em) => {
    const found = await em.findOne(ApiKey, { hash, revokedAt: null });
    if (found && (!found.lastUsedAt || Date.now() - found.lastUsedAt.getTime() > 60_000)) {
      found.lastUsedAt = new Date();
    }
    return found;
  });
  if (!key || (key.expiresAt && key.expiresAt.getTime() <= Date.now())) return null;
  const scopes = key.scopes.filter(isPermission);
  return {
    kind: 'apiKey',
    apiKeyId: key.id,
    orgId: key.organizationId,
    scopes,
    createdBy: key.createdBy ?? null,
  };
}

async function resolveOrgScope(
  app: FastifyInstance,
  request: FastifyRequest,
  principal: Principal,
): Promise<OrgScope> {
  const params = request.params as { orgId?: string } | undefined;
  const header = request.headers['x-organization-id'];
  const requested = params?.orgId ?? (typeof header === 'string' ? header : undefined);
  if (principal.kind === 'apiKey') {
    // An API key is bound to one organization; naming another one looks like a missing one.
    if (requested && requested !== principal.orgId) throw notFound('organization');
    return {
      id: principal.orgId,
      role: null,
      roleId: null,
      permissions: new Set(principal.scopes),
    };
  }
  if (!requested) throw notFound('organization (send X-Organization-Id)');
  if (!UUID.test(requested)) throw notFound('organization');
  const cacheKey = `${requested}:${principal.userId}`;
  let grant = app.credentialCache.memberships.get(cacheKey);
  if (grant === undefined) {
    grant = await withOrgContext(app.orm, requested, (em) =>
      loadMembershipGrant(em, requested, principal.userId),
    );
    app.credentialCache.memberships.set(cacheKey, grant);
  }
  if (!grant) throw notFound('organization');
  return { id: requested, ...grant };
}

/** The user's membership with what its built-in or custom role allows, or null for a non-member. */
async function loadMembershipGrant(
  em: EntityManager,
  organizationId: string,
  userId: string,
): Promise<MembershipGrant | null> {
  const membership = await em.findOne(Membership, { organizationId, userId });
  if (!membership) return null;
  const custom = membership.roleId ? await em.findOne(CustomRole, { id: membership.roleId }) : null;
  return {
    role: membership.role,
    roleId: membership.roleId ?? null,
    // A custom role that cannot be read grants nothing (fail closed), never the built-in role.
    permissions: grantedPermissions(
      membership.role,
      membership.roleId ? (custom?.permissions ?? []) : null,
    ),
  };
}

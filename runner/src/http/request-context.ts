import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { RunnerConfig } from '../config/config';
import type { SecretBox } from '../crypto/secret-box';
import type { OrganizationAllowlists } from '../identity/ip-allowlist';
import type { AccountStatus } from '../modules/admin/platform-admins';
import type { Role } from '../db/entities/tenancy';
import type { MailSender } from '../modules/auth/email-verification';
import { withOrgContext } from '../db/org-context';
import type { RunnerMetrics } from '../observability/metrics';
import type { Access, Permission } from './permissions';
import { HttpProblem } from './problem';
import type { TtlCache } from './ttl-cache';

export type Principal =
  | { kind: 'user'; userId: string }
  | {
      kind: 'apiKey';
      apiKeyId: string;
      orgId: string;
      scopes: Permission[];
      createdBy: string | null;
    };

export interface OrgScope {
  id: string;
  /** The member's built-in role (`member` under a custom role); API keys act with their scopes instead. */
  role: Role | null;
  /** The member's custom role, when it has one. */
  roleId: string | null;
  permissions: ReadonlySet<Permission>;
}

/** A user's membership as the auth hook caches it: its roles and what they allow. */
export interface MembershipGrant {
  role: Role;
  roleId: string | null;
  permissions: ReadonlySet<Permission>;
}

declare module 'fastify' {
  interface FastifyInstance {
    orm: MikroORM;
    runnerConfig: RunnerConfig;
    secretBox: SecretBox;
    metrics: RunnerMetrics;
    mailer: MailSender;
    /** Short-lived credential lookups (http/auth.ts); routes that change them clear entries. */
    credentialCache: {
      /** Keyed `${orgId}:${userId}`: clear `${orgId}:` when a custom role of the organization changes. */
      memberships: TtlCache<MembershipGrant | null>;
      apiKeys: TtlCache<Principal | null>;
      /** Keyed by user id: disabled / platform administrator (modules/admin/platform-admins.ts). */
      accounts: TtlCache<AccountStatus>;
      /** Keyed by organization id: its compiled IP allowlists (identity/ip-allowlist-routes.ts). */
      ipAllowlists: TtlCache<OrganizationAllowlists>;
    };
  }
  interface FastifyRequest {
    principal: Principal | null;
    org: OrgScope | null;
    idempotency: { recordKey: string; clientKey: string } | null;
  }
  interface FastifyContextConfig {
    access?: Access;
  }
}

/** The org scope the auth hook established (routes that declare a permission always have one). */
export function orgOf(request: { org: OrgScope | null }): OrgScope {
  if (!request.org) throw new HttpProblem(500, 'route has no organization scope');
  return request.org;
}

/** The acting user id, or null for an API key (which then acts as its creator where a user id is stored). */
export function actorUserId(request: { principal: Principal | null }): string | null {
  const p = request.principal;
  if (!p) return null;
  return p.kind === 'user' ? p.userId : p.createdBy;
}

/** Who did it, for audit events: the user, or the API key (and the user who created it). */
export function actorFields(request: { principal: Principal | null }) {
  const p = request.principal;
  return {
    actorUserId: actorUserId(request),
    actorApiKeyId: p?.kind === 'apiKey' ? p.apiKeyId : null,
  };
}

/** A fresh EntityManager in a transaction scoped to the request's organization. */
export function inOrg<T>(
  request: { org: OrgScope | null; server: { orm: MikroORM } },
  fn: (em: EntityManager) => Promise<T>,
): Promise<T> {
  return withOrgContext(request.server.orm, orgOf(request).id, fn);
}

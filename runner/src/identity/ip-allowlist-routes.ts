import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AuditEvent } from '../db/entities/audit';
import { Organization } from '../db/entities/tenancy';
import { Trigger } from '../db/entities/workflow';
import { withOrgContext, withSystemContext } from '../db/org-context';
import { badRequest, forbidden, notFound, problemResponses } from '../http/problem';
import { actorFields } from '../http/request-context';
import { TtlCache } from '../http/ttl-cache';
import {
  compileAllowlist,
  ipAllowed,
  parseCidrs,
  type OrganizationAllowlists,
} from './ip-allowlist';

const Cidrs = z.array(z.string().max(64)).max(200).nullable();
const Lists = z
  .strictObject({
    api: Cidrs.describe('CIDRs allowed to use the API in this organization; null = any address'),
    webhooks: Cidrs.describe("CIDRs allowed to call this organization's webhooks; null = any"),
  })
  .meta({ id: 'IpAllowlist' });

/**
 * How long a webhook token's organization is reused. (A token never moves to another
 * organization; the lists themselves are in app.credentialCache, dropped when they change.)
 */
const HOOK_ORG_CACHE_MS = 5_000;

/**
 * Per-organization IP allowlists: routes to read and replace them, and the preHandler that
 * enforces them on organization-scoped API calls and on webhook calls. The client address is
 * request.ip: behind a proxy set MAESTRO_TRUSTED_PROXIES so X-Forwarded-For is believed only
 * from it (docs/security.md).
 */
export function installIpAllowlists(fastify: FastifyInstance): void {
  // Read from the app on each use (not captured here): the cache is the app's, like the others.
  const lists = () => fastify.credentialCache.ipAllowlists;
  const hookOrgs = new TtlCache<string | null>(HOOK_ORG_CACHE_MS);

  const load = async (orgId: string): Promise<OrganizationAllowlists> => {
    let compiled = lists().get(orgId);
    if (!compiled) {
      const org = await withOrgContext(fastify.orm, orgId, (em) =>
        em.findOne(Organization, { id: orgId }),
      );
      compiled = {
        api: compileAllowlist(org?.apiIpAllowlist),
        webhooks: compileAllowlist(org?.webhookIpAllowlist),
      };
      lists().set(orgId, compiled);
    }
    return compiled;
  };
  const hookOrg = async (token: string): Promise<string | null> => {
    let orgId = hookOrgs.get(token);
    if (orgId === undefined) {
      const trigger = await withSystemContext(fastify.orm, (em) =>
        em.findOne(Trigger, { webhookToken: token }, { fields: ['organizationId'] }),
      );
      orgId = trigger?.organizationId ?? null;
      hookOrgs.set(token, orgId);
    }
    return orgId;
  };

  fastify.addHook('preHandler', async (request: FastifyRequest) => {
    if (request.routeOptions.url === '/v1/hooks/:token') {
      const orgId = await hookOrg((request.params as { token: string }).token);
      const allow = orgId ? (await load(orgId)).webhooks : null;
      if (allow && !ipAllowed(request.ip, allow))
        throw forbidden(`${request.ip} is not in this webhook's IP allowlist`);
      return;
    }
    if (!request.org) return;
    const allow = (await load(request.org.id)).api;
    if (allow && !ipAllowed(request.ip, allow))
      throw forbidden(`${request.ip} is not in this organization's API IP allowlist`);
  });

  fastify.register(async (child) => {
    const app = child.withTypeProvider<ZodTypeProvider>();
    const url = '/v1/organizations/:orgId/ip-allowlist';
    const params = z.object({ orgId: z.string() });

    app.get(
      url,
      {
        config: { access: 'members:manage' },
        schema: {
          tags: ['organizations'],
          summary: "The organization's IP allowlists",
          params,
          response: { 200: Lists, ...problemResponses },
        },
      },
      async (request) => {
        const org = await withOrgContext(app.orm, request.org!.id, (em) =>
          em.findOne(Organization, { id: request.org!.id }),
        );
        if (!org) throw notFound('organization');
        return { api: org.apiIpAllowlist ?? null, webhooks: org.webhookIpAllowlist ?? null };
      },
    );

    app.put(
      url,
      {
        config: { access: 'members:manage' },
        schema: {
          tags: ['organizations'],
          summary:
            'Replace the IP allowlists (IPv4/IPv6 CIDRs); your own address must stay allowed',
          params,
          body: Lists,
          response: { 200: Lists, ...problemResponses },
        },
      },
      async (request) => {
        const errors = [
          ...parseCidrs(request.body.api ?? []).errors.map((e) => ({
            ...e,
            path: `api${e.path}`,
          })),
          ...parseCidrs(request.body.webhooks ?? []).errors.map((e) => ({
            ...e,
            path: `webhooks${e.path}`,
          })),
        ];
        if (errors.length) throw badRequest('invalid IP allowlist entries', errors);
        const api = compileAllowlist(request.body.api);
        // Refusing a list that excludes the caller avoids locking the organization out by mistake.
        if (api && !ipAllowed(request.ip, api))
          throw badRequest(`the API allowlist must include your current address (${request.ip})`, [
            { path: 'api', message: `does not include ${request.ip}` },
          ]);
        const orgId = request.org!.id;
        await withOrgContext(app.orm, orgId, async (em) => {
          const org = await em.findOneOrFail(Organization, { id: orgId });
          org.apiIpAllowlist = request.body.api;
          org.webhookIpAllowlist = request.body.webhooks;
          em.create(AuditEvent, {
            organizationId: orgId,
            ...actorFields(request),
            action: 'organization.ip_allowlist_changed',
            targetType: 'organization',
            targetId: orgId,
            ip: request.ip,
            details: { api: request.body.api, webhooks: request.body.webhooks },
          });
          await em.flush();
        });
        // Every other API process drops its copy when the update commits (a trigger's NOTIFY).
        lists().clear(orgId);
        return request.body;
      },
    );
  });
}

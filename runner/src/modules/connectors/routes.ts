import type { EntityManager } from '@mikro-orm/postgresql';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  ConnectionStatus,
  OAuth2ClientAuth,
  OAuth2Grant,
  OAUTH2_KIND,
} from '../../connections/oauth2-credentials';
import {
  LOCKED_CONNECTION_COLUMNS,
  refreshLockedConnection,
  type LockedConnection,
} from '../../connections/token-refresh';
import type { ConnectionEntity } from '../../db/entities';
import { AuditEvent } from '../../db/entities/audit';
import { Connection, Connector } from '../../db/entities/connector';
import { badRequest, conflict, notFound, problemResponses } from '../../http/problem';
import { actorUserId, inOrg, orgOf, actorFields } from '../../http/request-context';
import { createAddressPolicy } from '../../worker/address-policy';
import { createGuardedHttpClient } from '../../worker/guarded-http-client';
import { isUuid } from '../workflows/repository';
import {
  applyCredentials,
  applyRateLimit,
  createConnection,
  secretFieldsOf,
  type Credentials,
} from './repository';
import {
  ConnectionBody,
  ConnectionInfo,
  ConnectionList,
  ConnectorBody,
  ConnectorInfo,
  CredentialsBody,
  RateLimitBody,
  type OAuth2Body,
} from './schemas';

const IdParams = z.object({ id: z.string() });

export async function connectorRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const box = app.secretBox;
  // Manual OAuth 2.0 refreshes leave from the API: through the same SSRF guard as workflow steps.
  const tokenHttp = {
    strict: createGuardedHttpClient({ policy: createAddressPolicy() }),
    open: createGuardedHttpClient({ policy: createAddressPolicy({ allowPrivateNetwork: true }) }),
  };
  app.addHook('onClose', async () => {
    await Promise.all([tokenHttp.strict.close(), tokenHttp.open.close()]);
  });
  const connectionInfo = (c: ConnectionEntity): ConnectionInfo => ({
    id: c.id,
    name: c.name,
    kind: c.kind,
    connectorId: c.connectorId ?? null,
    secretFields: secretFieldsOf(box, c),
    oauth2:
      c.kind === OAUTH2_KIND
        ? {
            tokenUrl: c.tokenUrl ?? '',
            grant: OAuth2Grant.catch('refresh_token').parse(c.grantType),
            scope: c.scope ?? null,
            clientAuth: OAuth2ClientAuth.catch('basic').parse(c.clientAuth),
          }
        : null,
    status: ConnectionStatus.catch('ok').parse(c.status),
    expiresAt: c.expiresAt?.toISOString() ?? null,
    lastRefreshedAt: c.lastRefreshedAt?.toISOString() ?? null,
    lastError: c.lastError ?? null,
    rateLimit:
      c.rateLimitRequests && c.rateLimitIntervalMs
        ? { requests: c.rateLimitRequests, intervalSeconds: c.rateLimitIntervalMs / 1000 }
        : null,
    createdAt: c.createdAt.toISOString(),
  });
  const findConnection = async (em: EntityManager, id: string) => {
    const c = isUuid(id) ? await em.findOne(Connection, { id }) : null;
    if (!c) throw notFound('connection');
    return c;
  };

  app.post(
    '/v1/connectors',
    {
      config: { access: 'connectors:write' },
      schema: {
        tags: ['connectors'],
        summary: 'Create a connector, and with `secrets` its connection (secrets are write-only)',
        body: ConnectorBody,
        response: { 201: ConnectorInfo, ...problemResponses },
      },
    },
    async (request, reply) => {
      const org = orgOf(request);
      if (request.body.kind === OAUTH2_KIND && request.body.secrets)
        throw badRequest('an OAuth 2.0 connection is created with POST /v1/connections', [
          { path: 'secrets', message: `not accepted with kind "${OAUTH2_KIND}"` },
        ]);
      const result = await inOrg(request, async (em) => {
        const connector = em.create(Connector, {
          organizationId: org.id,
          name: request.body.name,
          kind: request.body.kind,
          config: request.body.config,
        });
        await em.flush();
        const connection = request.body.secrets
          ? await createConnection(em, box, {
              orgId: org.id,
              name: request.body.name,
              kind: request.body.kind,
              connectorId: connector.id,
              credentials: { secrets: request.body.secrets },
              actor: actorUserId(request),
            })
          : undefined;
        return { connector, connection };
      });
      const { connector, connection } = result;
      return reply.code(201).send({
        id: connector.id,
        name: connector.name,
        kind: connector.kind,
        config: connector.config,
        ...(connection ? { connection: connectionInfo(connection) } : {}),
        createdAt: connector.createdAt.toISOString(),
      });
    },
  );

  app.get(
    '/v1/connectors',
    {
      config: { access: 'connectors:read' },
      schema: {
        tags: ['connectors'],
        summary: 'Connectors of the organization',
        response: { 200: z.object({ items: z.array(ConnectorInfo) }), ...problemResponses },
      },
    },
    async (request) =>
      inOrg(request, async (em) => ({
        items: (await em.find(Connector, {}, { orderBy: { createdAt: 'desc' } })).map((c) => ({
          id: c.id,
          name: c.name,
          kind: c.kind,
          config: c.config,
          createdAt: c.createdAt.toISOString(),
        })),
      })),
  );

  app.post(
    '/v1/connections',
    {
      config: { access: 'connectors:write' },
      schema: {
        tags: ['connectors'],
        summary:
          'Create a connection (credentials for action.http `auth: { connection }`): static secrets, or an OAuth 2.0 client with kind "oauth2"',
        body: ConnectionBody,
        response: { 201: ConnectionInfo, ...problemResponses },
      },
    },
    async (request, reply) => {
      const org = orgOf(request);
      const connection = await inOrg(request, async (em) => {
        const connectorId = request.body.connectorId ?? null;
        if (
          connectorId &&
          !(isUuid(connectorId) && (await em.findOne(Connector, { id: connectorId })))
        ) {
          throw badRequest('unknown connector', [
            { path: 'connectorId', message: 'no such connector' },
          ]);
        }
        return createConnection(em, box, {
          orgId: org.id,
          name: request.body.name,
          kind: request.body.kind,
          connectorId,
          credentials: credentialsOf(request.body),
          rateLimit: request.body.rateLimit,
          actor: actorUserId(request),
        });
      });
      return reply.code(201).send(connectionInfo(connection));
    },
  );

  app.get(
    '/v1/connections',
    {
      config: { access: 'connectors:read' },
      schema: {
        tags: ['connectors'],
        summary: 'Connections with their status (secret values are never returned)',
        response: { 200: ConnectionList, ...problemResponses },
      },
    },
    async (request) =>
      inOrg(request, async (em) => ({
        items: (await em.find(Connection, {}, { orderBy: { createdAt: 'desc' } })).map(
          connectionInfo,
        ),
      })),
  );

  app.get(
    '/v1/connections/:id',
    {
      config: { access: 'connectors:read' },
      schema: {
        tags: ['connectors'],
        summary: 'One connection and its status (secret values are never returned)',
        params: IdParams,
        response: { 200: ConnectionInfo, ...problemResponses },
      },
    },
    async (request) =>
      inOrg(request, async (em) => connectionInfo(await findConnection(em, request.params.id))),
  );

  app.put(
    '/v1/connections/:id/secrets',
    {
      config: { access: 'connectors:write' },
      schema: {
        tags: ['connectors'],
        summary:
          'Replace the credentials of a connection (`oauth2` for an OAuth 2.0 one: this is how it is authorized again)',
        params: IdParams,
        body: CredentialsBody,
        response: { 200: ConnectionInfo, ...problemResponses },
      },
    },
    async (request) =>
      inOrg(request, async (em) => {
        const c = await findConnection(em, request.params.id);
        const isOAuth2 = c.kind === OAUTH2_KIND;
        if (isOAuth2 !== Boolean(request.body.oauth2))
          throw badRequest('these credentials do not fit this connection', [
            isOAuth2
              ? { path: 'oauth2', message: 'an OAuth 2.0 connection takes oauth2' }
              : {
                  path: 'oauth2',
                  message: `only a connection of kind "${OAUTH2_KIND}" takes oauth2`,
                },
          ]);
        const fields = applyCredentials(box, c, credentialsOf(request.body));
        em.create(AuditEvent, {
          organizationId: c.organizationId,
          ...actorFields(request),
          action: 'connection.secrets_replaced',
          targetType: 'connection',
          targetId: c.id,
          details: { fields },
        });
        await em.flush();
        return connectionInfo(c);
      }),
  );

  const setRateLimit = (
    request: FastifyRequest & { params: { id: string } },
    limit: RateLimitBody | null,
  ) =>
    inOrg(request, async (em) => {
      const c = await findConnection(em, request.params.id);
      applyRateLimit(c, limit);
      em.create(AuditEvent, {
        organizationId: c.organizationId,
        ...actorFields(request),
        action: 'connection.rate_limit_changed',
        targetType: 'connection',
        targetId: c.id,
        details: { rateLimit: limit },
      });
      await em.flush();
      return connectionInfo(c);
    });

  app.put(
    '/v1/connections/:id/rate-limit',
    {
      config: { access: 'connectors:write' },
      schema: {
        tags: ['connectors'],
        summary: 'Set the rate limit shared by every step using the connection',
        params: IdParams,
        body: z.strictObject({ rateLimit: RateLimitBody }),
        response: { 200: ConnectionInfo, ...problemResponses },
      },
    },
    async (request) => setRateLimit(request, request.body.rateLimit),
  );

  app.delete(
    '/v1/connections/:id/rate-limit',
    {
      config: { access: 'connectors:write' },
      schema: {
        tags: ['connectors'],
        summary: 'Remove the rate limit of a connection',
        params: IdParams,
        response: { 200: ConnectionInfo, ...problemResponses },
      },
    },
    async (request) => setRateLimit(request, null),
  );

  app.post(
    '/v1/connections/:id/refresh',
    {
      config: { access: 'connectors:write' },
      schema: {
        tags: ['connectors'],
        summary:
          'Refresh an OAuth 2.0 connection now; the answer shows the outcome (status, lastError)',
        params: IdParams,
        response: { 200: ConnectionInfo, ...problemResponses },
      },
    },
    async (request) =>
      inOrg(request, async (em) => {
        const id = request.params.id;
        const [row] = isUuid(id)
          ? await em.execute<LockedConnection[]>(
              `select ${LOCKED_CONNECTION_COLUMNS}, c.kind
                 from connections c join organizations o on o.id = c.organization_id
                where c.id = ? and c.organization_id = ? for update of c`,
              [id, orgOf(request).id],
            )
          : [];
        if (!row) throw notFound('connection');
        if ((row as LockedConnection & { kind: string }).kind !== OAUTH2_KIND)
          throw conflict('only an OAuth 2.0 connection has a token to refresh');
        const http = row.allow_private_network ? tokenHttp.open : tokenHttp.strict;
        const outcome = await refreshLockedConnection(
          em,
          { box, http, actorUserId: actorUserId(request) },
          row,
        );
        em.create(AuditEvent, {
          organizationId: row.organization_id,
          ...actorFields(request),
          action: 'connection.refreshed',
          targetType: 'connection',
          targetId: row.id,
          details: outcome.ok ? { status: 'ok' } : { status: outcome.status, error: outcome.error },
        });
        await em.flush();
        return connectionInfo(await findConnection(em, row.id));
      }),
  );

  app.delete(
    '/v1/connections/:id',
    {
      config: { access: 'connectors:write' },
      schema: {
        tags: ['connectors'],
        summary: 'Delete a connection',
        params: IdParams,
        response: { 204: z.null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      await inOrg(request, async (em) => {
        const c = await findConnection(em, request.params.id);
        em.remove(c);
        await em.flush();
      });
      return reply.code(204).send(null);
    },
  );
}

function credentialsOf(body: {
  secrets?: Record<string, unknown>;
  oauth2?: OAuth2Body;
}): Credentials {
  if (body.oauth2) return { oauth2: body.oauth2 };
  return { secrets: body.secrets ?? {} };
}

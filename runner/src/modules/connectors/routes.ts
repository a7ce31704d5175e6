import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { connectionSecretContext } from '../../crypto/contexts';
import type { ConnectionEntity } from '../../db/entities';
import { AuditEvent } from '../../db/entities/audit';
import { Connection, Connector } from '../../db/entities/connector';
import { badRequest, notFound, problemResponses } from '../../http/problem';
import { actorUserId, inOrg, orgOf, actorFields } from '../../http/request-context';
import { isUuid } from '../workflows/repository';
import { createConnection, secretFieldsOf } from './repository';
import { ConnectionBody, ConnectionInfo, ConnectorBody, ConnectorInfo, Secrets } from './schemas';

const IdParams = z.object({ id: z.string() });

export async function connectorRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const box = app.secretBox;
  const connectionInfo = (c: ConnectionEntity) => ({
    id: c.id,
    name: c.name,
    kind: c.kind,
    connectorId: c.connectorId ?? null,
    secretFields: secretFieldsOf(box, c),
    createdAt: c.createdAt.toISOString(),
  });

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
              secrets: request.body.secrets,
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
        summary: 'Create a connection (credentials for action.http `auth: { connection }`)',
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
          secrets: request.body.secrets,
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
        summary: 'Connections (secret values are never returned)',
        response: { 200: z.object({ items: z.array(ConnectionInfo) }), ...problemResponses },
      },
    },
    async (request) =>
      inOrg(request, async (em) => ({
        items: (await em.find(Connection, {}, { orderBy: { createdAt: 'desc' } })).map(
          connectionInfo,
        ),
      })),
  );

  app.put(
    '/v1/connections/:id/secrets',
    {
      config: { access: 'connectors:write' },
      schema: {
        tags: ['connectors'],
        summary: 'Replace the secrets of a connection',
        params: IdParams,
        body: z.strictObject({ secrets: Secrets }),
        response: { 200: ConnectionInfo, ...problemResponses },
      },
    },
    async (request) =>
      inOrg(request, async (em) => {
        const c = isUuid(request.params.id)
          ? await em.findOne(Connection, { id: request.params.id })
          : null;
        if (!c) throw notFound('connection');
        c.secretEnc = box.sealJson(request.body.secrets, connectionSecretContext(c.id));
        em.create(AuditEvent, {
          organizationId: c.organizationId,
          ...actorFields(request),
          action: 'connection.secrets_replaced',
          targetType: 'connection',
          targetId: c.id,
          details: { fields: Object.keys(request.body.secrets) },
        });
        await em.flush();
        return connectionInfo(c);
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
        const c = isUuid(request.params.id)
          ? await em.findOne(Connection, { id: request.params.id })
          : null;
        if (!c) throw notFound('connection');
        em.remove(c);
        await em.flush();
      });
      return reply.code(204).send(null);
    },
  );
}

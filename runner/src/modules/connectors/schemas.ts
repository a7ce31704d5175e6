import { z } from 'zod';

/** Write-only: accepted on create/update, sealed (AES-256-GCM), never returned. */
export const Secrets = z
  .record(
    z.string().max(100),
    z.union([z.string().max(10_000), z.record(z.string(), z.string().max(10_000))]),
  )
  .refine(
    (s) => Object.keys(s).length > 0 && Object.keys(s).length <= 50,
    'give 1 to 50 secret fields',
  )
  .describe(
    'recognised by action.http auth: token (Bearer), username + password (Basic), headers, query',
  );

export const ConnectionBody = z.strictObject({
  name: z.string().trim().min(1).max(200),
  kind: z.string().trim().min(1).max(100).default('http'),
  connectorId: z.string().optional(),
  secrets: Secrets,
});

export const ConnectorBody = z.strictObject({
  name: z.string().trim().min(1).max(200),
  kind: z.string().trim().min(1).max(100),
  config: z.record(z.string(), z.unknown()).default({}).describe('non-secret settings'),
  /** When given, a connection with the same name is created for this connector. */
  secrets: Secrets.optional(),
});

export const ConnectionInfo = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.string(),
    connectorId: z.string().nullable(),
    secretFields: z
      .array(z.string())
      .describe('names of the stored secret fields (values are never returned)'),
    createdAt: z.string(),
  })
  .meta({ id: 'Connection' });

export const ConnectorInfo = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.string(),
    config: z.record(z.string(), z.unknown()),
    connection: ConnectionInfo.optional(),
    createdAt: z.string(),
  })
  .meta({ id: 'Connector' });

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

/** Credentials: `secretEnc` is a sealed secret-box string and never leaves the server. */
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
    createdAt: insertedAt(),
  },
});

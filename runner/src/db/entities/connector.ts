import { defineEntity, p } from '@mikro-orm/core';
import { insertedAt } from './columns';
import { newId } from '../ids';

export const Connector = defineEntity({
  name: 'Connector',
  tableName: 'connectors',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
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
    id: p
      .uuid()
      .primary()
      .onCreate(() => newId()),
    organizationId: p.uuid().index(),
    connectorId: p.uuid().nullable(),
    name: p.string(),
    kind: p.string(),
    secretEnc: p.text().hidden(),
    createdAt: insertedAt(),
  },
});

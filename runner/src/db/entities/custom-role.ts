import { defineEntity, p } from '@mikro-orm/core';
import { generatedId, insertedAt } from './columns';

/** An organization's own role: a name and a subset of the permission table (http/permissions.ts). */
export const CustomRole = defineEntity({
  name: 'CustomRole',
  tableName: 'roles',
  uniques: [{ properties: ['organizationId', 'name'] }],
  properties: {
    id: generatedId(),
    organizationId: p.uuid().index(),
    name: p.string().length(100),
    permissions: p.json<string[]>(),
    createdAt: insertedAt(),
    updatedAt: insertedAt().onUpdate(() => new Date()),
  },
});

import { defineEntity, p } from '@mikro-orm/core';
import { generatedId, insertedAt } from './columns';

/**
 * An organization variable: what workflows read as `env.<key>` on the runner.
 * A secret one stores `value` sealed with the app's secret box (bound to the
 * row id) and is never returned by the API.
 */
export const OrganizationVariable = defineEntity({
  name: 'OrganizationVariable',
  tableName: 'organization_variables',
  uniques: [{ properties: ['organizationId', 'key'] }],
  properties: {
    id: generatedId(),
    organizationId: p.uuid().index(),
    key: p.string().length(100),
    /** The plain value, or the sealed one when `secret`. */
    value: p.text().hidden(),
    secret: p.boolean().default(false),
    createdAt: insertedAt(),
    updatedAt: insertedAt().onUpdate(() => new Date()),
    /** The user (or the API key's creator) who last set it. */
    updatedBy: p.uuid().nullable(),
  },
});

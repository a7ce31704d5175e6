import { defineEntity, p } from '@mikro-orm/core';
import { generatedId, insertedAt } from './columns';
import { ROLES } from './tenancy';

/**
 * An invitation by email. The emailed link carries a signed token naming this row; the row
 * makes it single-use (`acceptedAt`) and revocable (`revokedAt`).
 */
export const Invitation = defineEntity({
  name: 'Invitation',
  tableName: 'invitations',
  properties: {
    id: generatedId(),
    organizationId: p.uuid().index(),
    email: p.string(),
    /** The built-in role given on acceptance (`member` when `roleId` names a custom role). */
    role: p.enum([...ROLES]),
    roleId: p.uuid().nullable(),
    invitedBy: p.uuid().nullable(),
    expiresAt: p.datetime(),
    acceptedAt: p.datetime().nullable(),
    acceptedBy: p.uuid().nullable(),
    revokedAt: p.datetime().nullable(),
    createdAt: insertedAt(),
  },
});

import { defineEntity, p } from '@mikro-orm/core';
import { generatedId, insertedAt } from './columns';

/**
 * TOTP second factor (runner/src/identity): one row per user, the secret sealed with the
 * secret box (AES-256-GCM, bound to the user id). Platform-wide, like users.
 */
export const UserTotp = defineEntity({
  name: 'UserTotp',
  tableName: 'user_totp',
  properties: {
    userId: p.uuid().primary(),
    secretEnc: p.text().hidden(),
    /** null while enrolment waits for its confirming code. */
    enabledAt: p.datetime().nullable(),
    /** The last accepted 30-second step: a code is accepted once (no replay in its window). */
    lastStep: p.bigint('number').nullable(),
    createdAt: insertedAt(),
  },
});

/** Single-use recovery codes, stored as SHA-256. */
export const RecoveryCode = defineEntity({
  name: 'RecoveryCode',
  tableName: 'recovery_codes',
  properties: {
    id: generatedId(),
    userId: p.uuid().index(),
    hash: p.string().unique(),
    usedAt: p.datetime().nullable(),
  },
});

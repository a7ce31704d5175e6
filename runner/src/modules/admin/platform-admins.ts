import type { MikroORM } from '@mikro-orm/postgresql';
import type { FastifyInstance } from 'fastify';
import { User } from '../../db/entities/identity';
import { UserTotp } from '../../db/entities/two-factor';
import { forbidden, TwoFactorRequired, unauthorized } from '../../http/problem';

/** What every authenticated request needs to know about its user (app.credentialCache.accounts). */
export interface AccountStatus {
  exists: boolean;
  disabled: boolean;
  platformAdmin: boolean;
}

export async function accountStatus(app: FastifyInstance, userId: string): Promise<AccountStatus> {
  const cache = app.credentialCache.accounts;
  let status = cache.get(userId);
  if (!status) {
    const user = await app.orm.em.fork().findOne(User, { id: userId });
    status = {
      exists: Boolean(user),
      disabled: Boolean(user?.disabledAt),
      platformAdmin: Boolean(user?.platformAdmin),
    };
    cache.set(userId, status);
  }
  return status;
}

/**
 * After a change made here (disable, enable): this process drops its copy at once; the others
 * when the change commits (the users trigger's NOTIFY, http/credential-invalidation.ts).
 */
export function forgetAccountStatus(app: FastifyInstance, userId: string): void {
  app.credentialCache.accounts.clear(userId);
}

/** A disabled (or deleted) account's access tokens stop working on its next request. */
export async function assertAccountActive(app: FastifyInstance, userId: string): Promise<void> {
  const status = await accountStatus(app, userId);
  if (!status.exists || status.disabled) throw unauthorized('this account is disabled');
}

/**
 * The `platform-admin` access level: a platform administrator (users.platform_admin, granted
 * by `maestro-runner grant-admin`) who has enabled two-factor authentication.
 */
export async function assertPlatformAdmin(app: FastifyInstance, userId: string): Promise<void> {
  if (!(await accountStatus(app, userId)).platformAdmin)
    throw forbidden('this action is for platform administrators');
  const enabled = await app.orm.em.fork().count(UserTotp, { userId, enabledAt: { $ne: null } });
  if (!enabled) throw new TwoFactorRequired();
}

/** For the CLI: grants or takes back the platform administrator flag; false when no such user. */
export async function setPlatformAdmin(
  orm: MikroORM,
  email: string,
  admin: boolean,
): Promise<boolean> {
  const updated = await orm.em
    .fork()
    .nativeUpdate(User, { email: email.trim().toLowerCase() }, { platformAdmin: admin });
  return updated > 0;
}

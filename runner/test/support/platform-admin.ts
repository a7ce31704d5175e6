import type { FastifyInstance } from 'fastify';
import { withSystemContext } from '../../src/db/org-context';
import type { MikroORM } from '../../src/db/orm';
import { enableTwoFactor } from '../identity/route-matrix/world';
import { signUp, type TestUser } from './test-app';

/**
 * A platform administrator who can use /v1/admin: the flag `maestro-runner grant-admin` sets
 * (here in SQL), then 2FA enrolled and confirmed through the API as the user would.
 */
export async function signUpPlatformAdmin(app: FastifyInstance, orm: MikroORM): Promise<TestUser> {
  const admin = await signUp(app, 'platform-admin');
  await withSystemContext(orm, (em) =>
    em.execute('update users set platform_admin = true where id = ?', [admin.userId]),
  );
  await enableTwoFactor(app, admin);
  return admin;
}

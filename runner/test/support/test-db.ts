import { randomBytes } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import { migrateDatabase } from '../../src/db/migrate';
import { openOrm } from '../../src/db/orm';

export interface TestDatabase {
  /** The application ORM (role maestro_app, org filter on, RLS applies). */
  orm: MikroORM;
  /** URL of this test's own database (as the server's superuser: for raw checks and child processes). */
  url: string;
  /** Always 'public': each test file gets its own database rather than a schema. */
  schema: string;
  /** Closes the ORM and drops the database. */
  drop(): Promise<void>;
}

const BASE_URL = process.env.MAESTRO_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * A fresh, migrated database per test file, so suites run in parallel without sharing rows.
 * @example const db = await createTestDatabase(); afterAll(() => db.drop());
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `maestro_t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const url = new URL(BASE_URL);
  url.pathname = `/${name}`;
  await migrateDatabase({ databaseUrl: url.toString() });
  const orm = await openOrm({ databaseUrl: url.toString(), poolSize: 5 });
  return {
    orm,
    url: url.toString(),
    schema: 'public',
    async drop() {
      await orm.close(true);
      await dropDatabase(name);
    },
  };
}

async function dropDatabase(name: string): Promise<void> {
  const admin = await MikroORM.init({
    clientUrl: BASE_URL,
    entities: [],
    discovery: { warnWhenNoEntities: false },
    pool: { min: 0, max: 1 },
  });
  try {
    await admin.em.getConnection().execute(`drop database if exists "${name}" with (force)`);
  } finally {
    await admin.close(true);
  }
}

import { randomBytes } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, describe, expect, it } from 'vitest';
import { migrateDatabase } from '../../src/db/migrate';
import { migrationsList } from '../../src/db/migrations';

const name = `maestro_mig_${randomBytes(4).toString('hex')}`;
const url = `postgres://postgres@127.0.0.1:5432/${name}`;

afterAll(async () => {
  const admin = await MikroORM.init({
    clientUrl: 'postgres://postgres@127.0.0.1:5432/postgres',
    entities: [],
    discovery: { warnWhenNoEntities: false },
  });
  await admin.em.getConnection().execute(`drop database if exists "${name}" with (force)`);
  await admin.close(true);
});

describe('migrateDatabase', () => {
  it('creates a missing database and migrates it once, even when processes race', async () => {
    const results = await Promise.all([
      migrateDatabase({ databaseUrl: url }),
      migrateDatabase({ databaseUrl: url }),
    ]);
    expect(results.filter((r) => r.createdDatabase)).toHaveLength(1);
    const applied = results.flatMap((r) => r.applied);
    expect(applied).toEqual(migrationsList.map((m) => m.name));
    // Up to date: answered by the one-query check, no migrator.
    const again = await migrateDatabase({ databaseUrl: url });
    expect(again).toEqual({ createdDatabase: false, applied: [] });
  });
});

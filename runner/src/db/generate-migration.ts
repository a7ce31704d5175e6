/**
 * Developer tool: writes a migration for the difference between the entities and the
 * migrations already listed, by applying them to a scratch database and diffing.
 *   npx tsx runner/src/db/generate-migration.ts [name]
 * Then add the new class to migrations/index.ts.
 */
import { randomBytes } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import { migrateDatabase } from './migrate';
import { ormOptions } from './orm';

const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const scratch = new URL(base);
scratch.pathname = `/maestro_gen_${randomBytes(4).toString('hex')}`;
const databaseUrl = scratch.toString();

await migrateDatabase({ databaseUrl });
const orm = await MikroORM.init(ormOptions({ databaseUrl, as: 'owner', poolSize: 1 }));
try {
  const result = await orm.migrator.createMigration(
    'runner/src/db/migrations',
    false,
    false,
    process.argv[2],
  );
  console.log(result.fileName ? `wrote ${result.fileName}` : 'no changes');
  if (result.diff.up.length) console.log(result.diff.up.join('\n'));
} finally {
  await orm.schema.dropDatabase(scratch.pathname.slice(1)).catch(() => undefined);
  await orm.close(true);
}

/**
 * Developer tool: writes a migration for the difference between the entities and the
 * migrations already listed, by applying them to a scratch database and diffing.
 *   npx tsx runner/src/db/generate-migration.ts [name]
 * Then add the new class to migrations/index.ts.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MikroORM } from '@mikro-orm/postgresql';
import { migrateDatabase } from './migrate';
import { ormOptions } from './orm';

const DIR = 'runner/src/db/migrations';
const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const scratch = new URL(base);
scratch.pathname = `/maestro_gen_${randomBytes(4).toString('hex')}`;
const databaseUrl = scratch.toString();

await migrateDatabase({ databaseUrl });
const orm = await MikroORM.init(ormOptions({ databaseUrl, as: 'owner', poolSize: 1 }));
try {
  const result = await orm.migrator.createMigration(DIR, false, false, process.argv[2]);
  if (result.fileName) keepOnlyRealChanges(join(DIR, result.fileName));
} finally {
  await orm.schema.dropDatabase(scratch.pathname.slice(1)).catch(() => undefined);
  await orm.close(true);
}

/**
 * The foreign keys live in the hand-written tenancy migration (the entities use scalar id
 * columns), so the schema diff always proposes dropping them: strip those statements.
 */
function keepOnlyRealChanges(file: string): void {
  const lines = readFileSync(file, 'utf8').split('\n');
  const kept = lines.filter((line) => !/addSql\(.*"[a-z_]+_fk"/.test(line));
  if (!kept.some((line) => line.includes('addSql('))) {
    rmSync(file);
    console.log('no changes');
    return;
  }
  writeFileSync(file, kept.join('\n'));
  console.log(`wrote ${file}: add it to ${DIR}/index.ts`);
}

import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { migrationsList } from './migrations';
import { ormOptions } from './orm';

// Any constant works; it only has to be the same in every runner process.
const MIGRATION_LOCK_ID = 7_104_202_601;

export interface MigrateResult {
  createdDatabase: boolean;
  applied: string[];
}

/**
 * Creates the database when it is missing (and the role may), then applies pending
 * migrations as the URL's role. Safe to call from several processes at once: creating the
 * database tolerates a concurrent creator and an advisory lock serialises migrations.
 * Used on start and by `maestro-runner migrate`.
 * @example await migrateDatabase({ databaseUrl: config.databaseUrl });
 */
export async function migrateDatabase(config: { databaseUrl: string }): Promise<MigrateResult> {
  if (await isUpToDate(config.databaseUrl)) return { createdDatabase: false, applied: [] };
  const createdDatabase = await ensureDatabase(config.databaseUrl);
  // One pooled connection: the session-level advisory lock and the migrations share it.
  const orm = await MikroORM.init(
    ormOptions({ databaseUrl: config.databaseUrl, as: 'owner', poolSize: 1 }),
  );
  try {
    const connection = orm.em.getConnection();
    await connection.execute(`select pg_advisory_lock(${MIGRATION_LOCK_ID})`);
    try {
      const applied = await orm.migrator.up();
      return { createdDatabase, applied: applied.map((m) => m.name) };
    } finally {
      await connection.execute(`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`);
    }
  } finally {
    await orm.close(true);
  }
}

/**
 * The usual start: the database exists and every migration is applied. One query on one
 * connection says so, instead of two ORM start-ups and the migrator (≈0.5 s of a runner's
 * start). Any doubt (no database, no table, an error) takes the full path.
 */
async function isUpToDate(databaseUrl: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: databaseUrl });
  try {
    await client.connect();
    const { rows } = await client.query<{ name: string }>('select name from mikro_orm_migrations');
    const applied = new Set(rows.map((row) => row.name));
    return migrationsList.every((migration) => applied.has(migration.name));
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Returns true when this call created the database. */
async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  if (!name) throw new Error('DATABASE_URL names no database');
  url.pathname = '/postgres';
  const admin = await MikroORM.init({
    clientUrl: url.toString(),
    entities: [],
    discovery: { warnWhenNoEntities: false },
    pool: { min: 0, max: 1 },
  });
  try {
    const connection = admin.em.getConnection();
    const rows = await connection.execute('select 1 from pg_database where datname = ?', [name]);
    if (rows.length > 0) return false;
    try {
      await connection.execute(`create database "${name.replaceAll('"', '""')}"`);
      return true;
    } catch (error) {
      // Another process created it between our check and our create.
      const code = (error as { code?: string }).code;
      if (code === '42P04' || code === '23505') return false;
      throw new Error(
        `database "${name}" does not exist and could not be created: ${(error as Error).message}`,
      );
    }
  } finally {
    await admin.close(true);
  }
}

import { MikroORM } from '@mikro-orm/postgresql';
import { ormOptions } from './orm';

// Any constant works; it only has to be the same in every runner process.
const MIGRATION_LOCK_ID = 7_104_202_601;

export interface MigrateResult {
  createdDatabase: boolean;
  applied: string[];
}

/**
 * Creates the database when it is missing (and the role may), then applies pending
 * migrations as the URL's role. Safe to call from several processes at once: an advisory
 * lock serialises them. Used on start and by `maestro-runner migrate`.
 * @example await migrateDatabase({ databaseUrl: config.databaseUrl });
 */
export async function migrateDatabase(config: { databaseUrl: string }): Promise<MigrateResult> {
  // One pooled connection: the session-level advisory lock and the migrations share it.
  const orm = await MikroORM.init({
    ...ormOptions({ databaseUrl: config.databaseUrl, as: 'owner', poolSize: 1 }),
  });
  try {
    const createdDatabase = await orm.schema.ensureDatabase();
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

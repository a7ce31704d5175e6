import { Migrator } from '@mikro-orm/migrations';
import { MikroORM, type Options } from '@mikro-orm/postgresql';
import { allEntities, orgScopedEntities } from './entities';
import { migrationsList } from './migrations';

/**
 * The role the application works as. It owns nothing and has no BYPASSRLS, so row-level
 * security applies to it even when DATABASE_URL names a superuser (superusers bypass RLS;
 * a role they SET ROLE to does not).
 */
export const APP_ROLE = 'maestro_app';

export interface OrgFilterArgs {
  orgId?: string;
  /** Set by withSystemContext only: cross-organization work (claims, relay, schedules). */
  system?: boolean;
}

export interface OrmOptionsInput {
  databaseUrl: string;
  /** 'app' (default) switches every pooled connection to APP_ROLE; 'owner' keeps the URL's role (migrations). */
  as?: 'app' | 'owner';
  poolSize?: number;
  debug?: boolean;
}

type PgClient = { query(sql: string, cb: (err: Error | null) => void): void };

export function ormOptions({
  databaseUrl,
  as = 'app',
  poolSize = 10,
  debug = false,
}: OrmOptionsInput): Options {
  return {
    clientUrl: databaseUrl,
    entities: allEntities,
    extensions: [Migrator],
    forceUtcTimezone: true,
    debug,
    allowGlobalContext: false,
    pool: {
      min: 0,
      max: poolSize,
      ...(as === 'app'
        ? {
            afterCreate: (conn: PgClient, done: (err: Error | null, conn: PgClient) => void) =>
              conn.query(`SET ROLE ${APP_ROLE}`, (err) => done(err, conn)),
          }
        : {}),
    },
    filters: {
      // Deny by default: a query on an org-owned entity without filter params throws.
      org: {
        name: 'org',
        default: true,
        entity: orgScopedEntities.map((e) => e.meta.className),
        cond: (args: OrgFilterArgs) => (args.system ? {} : { organizationId: args.orgId }),
      },
    },
    migrations: {
      tableName: 'mikro_orm_migrations',
      path: 'runner/src/db/migrations',
      pathTs: 'runner/src/db/migrations',
      migrationsList,
      snapshot: false,
      emit: 'ts',
      transactional: true,
      allOrNothing: true,
      disableForeignKeys: false,
      silent: true,
    },
  };
}

/** Opens the ORM the application uses (APP_ROLE, org filter on). */
export function openOrm(input: OrmOptionsInput): Promise<MikroORM> {
  return MikroORM.init(ormOptions(input));
}

export type { MikroORM };

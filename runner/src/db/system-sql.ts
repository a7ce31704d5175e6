import { createHash } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { APP_ROLE } from './orm';

/** Runs one SQL statement with `$1…` parameters and returns its rows. */
export type SqlQuery = <T>(sql: string, params?: unknown[]) => Promise<T[]>;

/**
 * The execution hot path's database access (webhook inserts, outbox relay,
 * claims, heartbeats, result writes): raw SQL on a small pool of its own,
 * outside MikroORM. Each of those is cross-organization platform work that
 * withSystemContext would run anyway; here the connections are opened as
 * APP_ROLE with `maestro.system = on` for the whole session (startup
 * options), so RLS still applies as in withSystemContext, and a single
 * statement is its own transaction: one round trip instead of four (BEGIN,
 * set_config, the statement, COMMIT), no EntityManager fork, no knex
 * formatting. Never hand these connections to request handlers: they are not
 * scoped to one organization.
 */
export interface SystemSql {
  /** One statement in its own (implicit) transaction. */
  query: SqlQuery;
  /** Several statements in one transaction on one connection. */
  transaction<T>(fn: (query: SqlQuery) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface SystemSqlOptions {
  databaseUrl: string;
  /** Connections (default 6): the hot path batches, so few are needed. */
  max?: number;
}

const byOrm = new WeakMap<MikroORM, SystemSql>();

/**
 * The hot-path pool for the database `orm` works on, created on first use
 * (idle connections do not keep the process alive; main.ts closes it on shutdown).
 * @example await systemSqlFor(orm).query('select id from executions where id = $1', [id])
 */
export function systemSqlFor(orm: MikroORM): SystemSql {
  let sql = byOrm.get(orm);
  if (!sql) {
    sql = createSystemSql({ databaseUrl: orm.config.get('clientUrl') as string });
    byOrm.set(orm, sql);
  }
  return sql;
}

/** Closes the pool systemSqlFor(orm) opened, if any. */
export async function closeSystemSql(orm: MikroORM): Promise<void> {
  const sql = byOrm.get(orm);
  byOrm.delete(orm);
  await sql?.close();
}

/** Timestamps as ISO strings, as MikroORM's driver returns them, so rows read the same either way. */
const types = new pg.TypeOverrides();
for (const oid of [1082, 1114, 1184, 1186]) types.setTypeParser(oid, (value: string) => value);

export function createSystemSql(options: SystemSqlOptions): SystemSql {
  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    max: options.max ?? 6,
    idleTimeoutMillis: 30_000,
    allowExitOnIdle: true,
    options: `-c role=${APP_ROLE} -c maestro.system=on`,
    types,
  });
  // An idle connection that drops emits 'error' on the pool; the next query simply opens a new one.
  pool.on('error', () => {});
  const query: SqlQuery = async <T>(sql: string, params: unknown[] = []) =>
    (await pool.query(statement(sql, params))).rows as T[];
  return {
    query,
    async transaction(fn) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('begin');
        const result = await fn(
          async <T>(sql: string, params: unknown[] = []) =>
            (await client.query(statement(sql, params))).rows as T[],
        );
        await client.query('commit');
        return result;
      } catch (error) {
        await client.query('rollback').catch((rollbackError: Error) => {
          broken = rollbackError;
        });
        throw error;
      } finally {
        // A connection whose rollback failed is in an unknown state: discard it.
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}

const statementNames = new Map<string, string>();
const MAX_NAMED_STATEMENTS = 200;

/**
 * A statement with parameters goes out as a named prepared statement: each pooled connection
 * parses and plans it once, then only binds and executes it (the hot path sends the same few
 * statements thousands of times a second, and parsing plus planning them was a large share of
 * PostgreSQL's CPU per execution). The name is a digest of the text, so equal texts share it.
 * Statements without parameters keep the simple protocol, which allows several in one string.
 */
function statement(text: string, values: unknown[]): pg.QueryConfig {
  if (values.length === 0) return { text };
  let name = statementNames.get(text);
  // The hot path's texts are a fixed few; should a caller ever build texts dynamically, the
  // rest stay unnamed instead of filling every connection with prepared statements.
  if (!name && statementNames.size >= MAX_NAMED_STATEMENTS) return { text, values };
  if (!name) {
    name = `maestro_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    statementNames.set(text, name);
  }
  return { name, text, values };
}

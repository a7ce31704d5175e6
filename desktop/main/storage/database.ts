import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrations } from './migrations';

export type { Database };

/**
 * Opens (creating when needed) the app database and brings its schema up to
 * date. WAL lets reads run beside a save; `synchronous = FULL` fsyncs the WAL
 * at every commit, so a save that returned survives a kill AND a power cut
 * (NORMAL would only survive a process crash). Saves are small: the cost is
 * one fsync per save, which a person clicking Save never notices.
 */
export function openDatabase(file: string): Database {
  mkdirSync(dirname(file), { recursive: true });
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

/** Runs the migrations not yet applied, each in its own transaction with its version bump. */
export function migrate(db: Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new Error(
      `The database schema (version ${current}) is newer than this Maestro (knows ${migrations.length}); update Maestro.`,
    );
  }
  for (let version = current; version < migrations.length; version++) {
    db.transaction(() => {
      migrations[version]!(db);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}

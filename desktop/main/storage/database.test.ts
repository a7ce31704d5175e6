import BetterSqlite3 from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/test-app';
import { openDatabase } from './database';
import { migrations } from './migrations';

describe('openDatabase', () => {
  const dirs: string[] = [];
  const newFile = (): string => {
    const dir = tempDir();
    dirs.push(dir);
    return join(dir, 'nested', 'maestro.sqlite');
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('creates the file, runs every migration and records the version', () => {
    const db = openDatabase(newFile());
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all()
      .map((row) => (row as { name: string }).name);
    expect(tables).toEqual([
      'connections',
      'dry_runs',
      'pinned_samples',
      'published_workflows',
      'runner_profiles',
      'workflow_versions',
      'workflows',
    ]);
    db.close();
  });

  it('uses WAL with a full fsync at each commit', () => {
    const db = openDatabase(newFile());
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    db.close();
  });

  it('reopens an up-to-date database without migrating again, keeping its data', () => {
    const file = newFile();
    const first = openDatabase(file);
    first
      .prepare("INSERT INTO connections VALUES ('c1', 'CRM', 'bearer', '2026-01-01T00:00:00Z')")
      .run();
    first.close();
    const second = openDatabase(file);
    expect(second.prepare('SELECT name FROM connections').all()).toEqual([{ name: 'CRM' }]);
    second.close();
  });

  it('refuses a database written by a newer Maestro', () => {
    const file = newFile();
    openDatabase(file).close();
    const raw = new BetterSqlite3(file);
    raw.pragma(`user_version = ${migrations.length + 1}`);
    raw.close();
    expect(() => openDatabase(file)).toThrow(/newer than this Maestro/);
  });
});

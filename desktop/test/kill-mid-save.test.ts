import BetterSqlite3 from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../main/storage/database';
import { documentForVersion } from './support/save-loop-document';
import { PROJECT_ROOT, tempDir } from './support/test-app';

/** Runs the save loop in a child process and SIGKILLs it after `killAfter` acknowledged saves. */
async function saveUntilKilled(
  dataDir: string,
  killAfter: number,
): Promise<{ workflowId: string; acked: number[] }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(PROJECT_ROOT, 'desktop/test/support/save-loop.ts'), dataDir],
    { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('exit', (_code, signal) => resolve(signal)),
  );
  let workflowId = '';
  const acked: number[] = [];
  for await (const line of createInterface({ input: child.stdout })) {
    if (line.startsWith('workflow ')) workflowId = line.slice('workflow '.length);
    if (line.startsWith('saved ')) acked.push(Number(line.slice('saved '.length)));
    if (acked.length === killAfter) child.kill('SIGKILL');
  }
  expect(await exited).toBe('SIGKILL');
  return { workflowId, acked };
}

describe('a kill mid-save loses nothing that was saved', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it.each([50, 173, 400])('SIGKILL after %i acknowledged saves', async (killAfter) => {
    const dataDir = tempDir();
    dirs.push(dataDir);
    const { workflowId, acked } = await saveUntilKilled(dataDir, killAfter);
    expect(acked.length).toBeGreaterThanOrEqual(killAfter);

    const file = join(dataDir, 'maestro.sqlite');
    const raw = new BetterSqlite3(file);
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
    raw.close();

    const db = openDatabase(file);
    const rows = db
      .prepare(
        'SELECT version, document FROM workflow_versions WHERE workflow_id = ? ORDER BY version',
      )
      .all(workflowId) as { version: number; document: string }[];
    const stored = new Map(rows.map((row) => [row.version, JSON.parse(row.document) as unknown]));
    for (const version of acked)
      expect(stored.get(version), `version ${version}`).toEqual(documentForVersion(version));
    // The current row agrees with the newest version: no half-applied save.
    const current = db
      .prepare('SELECT version, document FROM workflows WHERE id = ?')
      .get(workflowId) as {
      version: number;
      document: string;
    };
    expect(current.version).toBe(Math.max(...stored.keys()));
    expect(current.version).toBeGreaterThanOrEqual(acked.at(-1)!);
    expect(JSON.parse(current.document)).toEqual(documentForVersion(current.version));
    db.close();
  });
});

import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, tempDir } from './support/test-app';

describe('npm run studio (desktop/studio/main.ts as a process)', () => {
  const dataDir = tempDir();
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('prints its 127.0.0.1 URL, serves the router there, and stops on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(PROJECT_ROOT, 'desktop/studio/main.ts')],
      {
        cwd: PROJECT_ROOT,
        env: {
          ...process.env,
          MAESTRO_DATA_DIR: dataDir,
          MAESTRO_NO_OPEN: '1',
          MAESTRO_STUDIO_PORT: '0',
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    );
    let url = '';
    for await (const line of createInterface({ input: child.stdout })) {
      const match = /Maestro studio \(browser host\) on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
      if (match) {
        url = match[1]!;
        break;
      }
    }
    expect(url).not.toBe('');
    const info = (await (await fetch(`${url}/trpc/app.info`)).json()) as {
      result: { data: unknown };
    };
    expect(info.result.data).toMatchObject({ transport: 'browser', dataDir });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('refuses a port that is not one', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(PROJECT_ROOT, 'desktop/studio/main.ts'), '--port', 'x'],
      {
        cwd: PROJECT_ROOT,
        env: { ...process.env, MAESTRO_DATA_DIR: dataDir },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) =>
      child.on('exit', (exitCode) => resolve(exitCode)),
    );
    expect(code).toBe(1);
    expect(stderr).toContain(
      'maestro studio: --port / MAESTRO_STUDIO_PORT must be a port number (0-65535), got "x"',
    );
  });
});

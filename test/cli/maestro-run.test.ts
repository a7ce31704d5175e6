import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunResult } from '../../shared/src/index';
import type { ExampleApiServer } from './support/example-api-server';
import { startExampleApiServer } from './support/example-api-server';
import { hasStackTrace, runMaestro, startMaestro } from './support/run-maestro';

let server: ExampleApiServer;
beforeAll(async () => {
  server = await startExampleApiServer();
});
afterAll(async () => {
  await server.close();
});

// eslint-disable-next-line no-control-regex -- looking for ANSI escapes is the point
const ANSI = /\u001b\[/;

describe('maestro run (the real binary)', () => {
  it('runs scenario A: the server receives the mapped body; the summary lists each step', async () => {
    const { code, stdout, stderr } = await runMaestro([
      'run',
      'examples/webhook-to-crm.maestro.json',
      '--input',
      '@examples/inputs/webhook-to-crm.json',
      '--env',
      `CRM_URL=${server.url}`,
    ]);
    expect(stderr).toBe(''); // a short run, stderr not a TTY: no progress lines
    expect(code).toBe(0);
    const [contact] = server.received('POST', '/contacts');
    expect(contact?.body).toEqual({
      email: 'ada.lovelace@example.com',
      fullName: 'Ada Lovelace',
      company: 'Analytical Engines Ltd',
      plan: 'PRO',
      seats: 5,
      signedUpAt: '2026-11-23T10:00:00Z',
      tags: ['signup', 'pro'],
    });
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^✔ signup +trigger\.webhook +\d+ ms +1× +\{"method":"POST","path":"\/hooks\/signup"/,
    );
    expect(lines[1]).toMatch(/^✔ createContact +action\.http +\d+ ms +1× +\{"status":201,/);
    expect(lines.at(-1)).toMatch(/^Run success in \d+ ms \(2 success\)$/);
    expect(stdout).not.toMatch(ANSI); // stdout is a pipe: no colours
  });

  it('runs scenario B with --json: stdout is exactly the run result', async () => {
    const before = server.received('POST', '/customers').length;
    const { code, stdout } = await runMaestro([
      'run',
      'examples/csv-import-to-api.maestro.json',
      '--input',
      '@examples/inputs/csv-import-to-api.json',
      '--env',
      `FILES_URL=${server.url}`,
      '--env',
      `API_URL=${server.url}`,
      '--json',
    ]);
    expect(code).toBe(0);
    const result = RunResult.parse(JSON.parse(stdout));
    expect(Object.keys(JSON.parse(stdout) as object).sort()).toEqual([
      'finishedAt',
      'startedAt',
      'status',
      'steps',
    ]);
    expect(result.status).toBe('success');
    expect(Object.keys(result.steps)).toEqual(
      expect.arrayContaining(['nightly', 'download', 'parse', 'clean', 'push', 'report']),
    );
    expect(result.steps.report?.output).toMatchObject({ read: 4, imported: 3, skipped: 1 });
    const pushed = server
      .received('POST', '/customers')
      .slice(before)
      .map((r) => r.body);
    expect(pushed).toHaveLength(3);
    expect(pushed).toContainEqual({
      email: 'grace@example.com',
      name: 'Grace Hopper',
      country: 'US',
      lifetimeValue: 1530,
    });
  });

  it('takes --input as inline JSON and repeated --env pairs (values may hold "=")', async () => {
    const { code, stdout } = await runMaestro([
      'run',
      'test/cli/fixtures/echo-input-env.maestro.json',
      '--input',
      '{"a":[1,2],"b":null}',
      '--env',
      'X=1',
      '-e',
      'Y=two',
      '--env',
      'URL=http://h/?q=a=b',
      '--env',
      'X=last wins',
      '--json',
    ]);
    expect(code).toBe(0);
    const result = RunResult.parse(JSON.parse(stdout));
    expect(result.steps.echo?.output).toEqual({
      input: { a: [1, 2], b: null },
      x: 'last wins',
      y: 'two',
      url: 'http://h/?q=a=b',
    });
  });

  it('--secret works like --env but its value is redacted from what is printed', async () => {
    const args = [
      'run',
      'test/cli/fixtures/echo-input-env.maestro.json',
      '--secret',
      'X=hunter2',
      '-s',
      'URL=tok123',
    ];
    const json = await runMaestro([...args, '--env', 'Y=visible', '--json']);
    expect(json.code).toBe(0);
    const result = RunResult.parse(JSON.parse(json.stdout));
    expect(result.steps.echo?.output).toMatchObject({
      x: '[redacted]',
      y: 'visible',
      url: '[redacted]',
    });
    const summary = await runMaestro(args);
    expect(summary.code).toBe(0);
    expect(summary.stdout).toContain('"x":"[redacted]"');
    expect(summary.stdout + summary.stderr).not.toMatch(/hunter2|tok123/);
  });

  it('exits 1 on a failed run and says which step failed and why', async () => {
    const { code, stdout, stderr } = await runMaestro([
      'run',
      'examples/reject-invalid-signup.maestro.json',
      '--input',
      '{"body":{"email":"nope"}}',
    ]);
    expect(code).toBe(1);
    expect(stderr).toBe('');
    expect(stdout).toMatch(
      /^✘ reject +flow\.fail .* FAIL Rejected signup: "nope" is not an email address$/m,
    );
    expect(stdout).toMatch(/^○ accept +transform .* skipped$/m);
    expect(stdout.trimEnd().split('\n').at(-1)).toMatch(
      /^Run failed in \d+ ms \(.*\) — reject: FAIL Rejected signup: "nope" is not an email address$/,
    );
  });

  it('fails a connection reference with a clear VALIDATION error (the CLI has no connections)', async () => {
    const { code, stdout } = await runMaestro([
      'run',
      'test/cli/fixtures/uses-connection.maestro.json',
      '--env',
      `API_URL=${server.url}`,
      '--json',
    ]);
    expect(code).toBe(1);
    const result = RunResult.parse(JSON.parse(stdout));
    expect(result.error).toMatchObject({ step: 'call', code: 'VALIDATION' });
    expect(result.error?.message).toContain('connection "crm-prod" is not available here');
  });

  it('streams progress on stderr once a run lasts over 1 s (retries included)', async () => {
    const { code, stderr } = await runMaestro([
      'run',
      'examples/flaky-api-retries.maestro.json',
      '--input',
      '@examples/inputs/flaky-api-retries.json',
      '--env',
      `API_URL=${server.url}`,
    ]);
    expect(code).toBe(0);
    expect(stderr).toMatch(/^\[1\.\ds\] still running after 1(\.\d+)? s: fetchReport$/m);
    expect(stderr).toMatch(/\] ■ fetchReport success in \d/);
    expect(stderr).toMatch(/\] ▸ summary started/);
  });

  it('Ctrl-C cancels the run cleanly: exit 1, status canceled, no stack trace', async () => {
    const run = startMaestro([
      'run',
      'test/cli/fixtures/slow-call.maestro.json',
      '--env',
      `API_URL=${server.url}`,
      '--json',
    ]);
    await run.stderrMatches(/still running after .*: wait/);
    run.child.kill('SIGINT');
    const { code, stdout, stderr } = await run.done;
    expect(code).toBe(1);
    expect(stderr).toContain('canceling the run');
    expect(hasStackTrace(stderr)).toBe(false);
    const result = RunResult.parse(JSON.parse(stdout));
    expect(result.status).toBe('canceled');
    expect(result.steps.wait?.status).toBe('canceled');
    expect(result.steps.after?.status).toBe('skipped');
  });
});

describe('colours', () => {
  // `script` gives the CLI a real terminal, where colours are on unless NO_COLOR is set.
  const inTerminal = (env: NodeJS.ProcessEnv) =>
    runMaestro([], {
      command: [
        'script',
        '-qec',
        'node build/bin/maestro.mjs run examples/csv-clean-up.maestro.json --input @examples/inputs/csv-clean-up.json',
        '/dev/null',
      ],
      env,
    });

  it('are used on a terminal', async () => {
    const { code, stdout } = await inTerminal({});
    expect(code).toBe(0);
    expect(stdout).toMatch(ANSI);
    expect(stdout).toContain('Run success');
    // stderr is the terminal too: progress is live from the first step, however short the run.
    expect(stdout).toContain('▸ parse started');
  });

  it('are not used when NO_COLOR is set', async () => {
    const { code, stdout } = await inTerminal({ NO_COLOR: '1' });
    expect(code).toBe(0);
    expect(stdout).not.toMatch(ANSI);
    expect(stdout).toContain('Run success');
  });
});

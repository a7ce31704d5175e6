import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasStackTrace, REPO_ROOT, runMaestro } from './support/run-maestro';

describe('maestro validate (the real binary)', () => {
  it('exits 0 on a valid example and names it', async () => {
    const { code, stdout, stderr } = await runMaestro([
      'validate',
      'examples/webhook-to-crm.maestro.json',
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /examples\/webhook-to-crm\.maestro\.json: valid workflow "New signup to CRM" \(1 step\)/,
    );
  });

  it('exits 2 with one `path: message` line per error', async () => {
    const { code, stdout, stderr } = await runMaestro([
      'validate',
      'test/cli/fixtures/invalid-workflow.maestro.json',
    ]);
    expect(code).toBe(2);
    expect(stderr).toBe('');
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toContain('nodes[2].config.url: required');
    for (const line of lines) expect(line).toMatch(/^[A-Za-z_][\w.[\]"-]*: \S/);
  });

  it('runs through `npx maestro` from the repository, without asking the registry', async () => {
    const { code, stdout } = await runMaestro(['validate', 'examples/csv-clean-up.maestro.json'], {
      command: ['npx', '--offline', 'maestro'],
    });
    expect(code).toBe(0);
    expect(stdout).toContain('valid workflow "Clean up a CSV export"');
  });

  it('prints help and the package version', async () => {
    const help = await runMaestro(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain(
      'maestro run FILE [--input JSON|@file.json] [--env KEY=VALUE]... [--secret KEY=VALUE]... [--json]',
    );
    const version = await runMaestro(['--version']);
    const { version: expected } = JSON.parse(readFileSync(`${REPO_ROOT}package.json`, 'utf8')) as {
      version: string;
    };
    expect(version.stdout.trim()).toBe(expected);
    expect(version.code).toBe(0);
  });
});

// Written at test time: a broken JSON file in the repository would fail `prettier --check`.
const notJsonFile = join(mkdtempSync(join(tmpdir(), 'maestro-cli-')), 'not-json.maestro.json');
writeFileSync(
  notJsonFile,
  '{\n  "format": "maestro/workflow@1",\n  "name": "missing comma"\n  "nodes": []\n}\n',
);

describe('maestro never shows a stack trace for user errors: exit 2 and one line', () => {
  const cases: [string, string[], RegExp][] = [
    [
      'a missing file',
      ['validate', 'nope.maestro.json'],
      /^maestro: workflow: cannot read "nope\.maestro\.json": no such file$/,
    ],
    [
      'a directory',
      ['run', 'examples'],
      /^maestro: workflow: cannot read "examples": it is a directory$/,
    ],
    [
      'a file that is not JSON',
      ['validate', notJsonFile],
      /^maestro: workflow ".*not-json\.maestro\.json" is not JSON: .* at line 4 column 3$/,
    ],
    [
      'an --input that is not JSON',
      ['run', 'examples/csv-clean-up.maestro.json', '--input', '{csv:'],
      /^maestro: --input is not JSON: .+$/,
    ],
    [
      'an --input file that does not exist',
      ['run', 'examples/csv-clean-up.maestro.json', '--input', '@missing.json'],
      /^maestro: --input: cannot read "missing\.json": no such file$/,
    ],
    [
      'an --env without =',
      ['run', 'examples/csv-clean-up.maestro.json', '--env', 'API_URL'],
      /^maestro: --env "API_URL": expected KEY=VALUE/,
    ],
    ['an unknown command', ['launch', 'x.json'], /^maestro: unknown command "launch"/],
    ['an unknown option', ['run', 'x.json', '--verbose'], /^maestro: Unknown option '--verbose'/],
    ['a missing FILE', ['run'], /^maestro: maestro run: missing FILE/],
  ];
  it.each(cases)('%s', async (_name, args, expected) => {
    const { code, stdout, stderr } = await runMaestro(args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr.trimEnd()).toMatch(expected);
    expect(hasStackTrace(stderr)).toBe(false);
  });

  it('an invalid workflow given to run: a header line, then one line per error', async () => {
    const { code, stdout, stderr } = await runMaestro([
      'run',
      'test/cli/fixtures/invalid-workflow.maestro.json',
    ]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    const [header, ...errors] = stderr.trimEnd().split('\n');
    expect(header).toBe(
      'maestro: workflow "test/cli/fixtures/invalid-workflow.maestro.json" is not valid:',
    );
    expect(errors).toContain('nodes[2].config.url: required');
    expect(hasStackTrace(stderr)).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { parseCliArgs } from './cli-args';
import { CliError } from './cli-error';

function reasonOf(argv: string[]): string {
  try {
    parseCliArgs(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(2);
    return (error as CliError).message;
  }
  throw new Error(`accepted ${argv.join(' ')}`);
}

describe('parseCliArgs', () => {
  it('reads run with every option, short and long, in any order', () => {
    expect(
      parseCliArgs(['run', '-e', 'A=1', 'w.json', '--json', '--env', 'B=2', '-i', '@in.json']),
    ).toEqual({
      kind: 'run',
      file: 'w.json',
      input: '@in.json',
      env: ['A=1', 'B=2'],
      secrets: [],
      json: true,
    });
    expect(parseCliArgs(['run', 'w.json', '-s', 'K=v', '--secret', 'T=w'])).toEqual({
      kind: 'run',
      file: 'w.json',
      input: undefined,
      env: [],
      secrets: ['K=v', 'T=w'],
      json: false,
    });
  });

  it('reads validate, help and version', () => {
    expect(parseCliArgs(['validate', 'w.json'])).toEqual({ kind: 'validate', file: 'w.json' });
    expect(parseCliArgs([])).toEqual({ kind: 'help' });
    expect(parseCliArgs(['help'])).toEqual({ kind: 'help' });
    expect(parseCliArgs(['run', 'w.json', '--help'])).toEqual({ kind: 'help' });
    expect(parseCliArgs(['-v'])).toEqual({ kind: 'version' });
  });

  it('explains what is wrong in one line', () => {
    expect(reasonOf(['deploy', 'w.json'])).toMatch(/^unknown command "deploy"/);
    expect(reasonOf(['validate'])).toMatch(/^maestro validate: missing FILE/);
    expect(reasonOf(['run', 'a.json', 'b.json'])).toMatch(/unexpected argument "b\.json"/);
    expect(reasonOf(['validate', 'w.json', '--json'])).toBe(
      'maestro validate: --json only applies to maestro run',
    );
    expect(reasonOf(['run', 'w.json', '--input'])).toMatch(/--input/);
    const unknown = reasonOf(['run', 'w.json', '--colour']);
    expect(unknown).toMatch(/^Unknown option '--colour' \(see maestro --help\)$/);
  });
});

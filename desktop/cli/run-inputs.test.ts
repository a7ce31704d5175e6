import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliError } from './cli-error';
import { parseEnvPairs, readRunInput } from './run-inputs';

describe('readRunInput', () => {
  it('takes inline JSON of any type, a file with @, and {} by default', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'maestro-input-'));
    writeFileSync(join(dir, 'in.json'), '\uFEFF{ "body": { "id": 7 } }');
    expect(await readRunInput('[1, "two", null]')).toEqual([1, 'two', null]);
    expect(await readRunInput('42')).toBe(42);
    expect(await readRunInput(`@${join(dir, 'in.json')}`)).toEqual({ body: { id: 7 } });
    expect(await readRunInput(undefined)).toEqual({});
  });

  it('reports JSON errors with line and column', async () => {
    await expect(readRunInput('{\n  "a": 1,\n}')).rejects.toThrow(
      /^--input is not JSON: .* at line 3 column 1$/,
    );
    await expect(readRunInput('@/nonexistent/in.json')).rejects.toBeInstanceOf(CliError);
  });
});

describe('parseEnvPairs', () => {
  it('splits at the first = and lets a later key win', () => {
    expect(parseEnvPairs(['A=1', 'URL=http://x/?a=b', 'A=2', 'EMPTY='])).toEqual({
      A: '2',
      URL: 'http://x/?a=b',
      EMPTY: '',
    });
  });

  it.each([['NOEQUALS'], ['=value'], ['1ABC=x'], ['A-B=x']])('rejects %s', (pair) => {
    expect(() => parseEnvPairs([pair])).toThrow(`--env "${pair}": expected KEY=VALUE`);
  });
});

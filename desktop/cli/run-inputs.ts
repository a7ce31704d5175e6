import { CliError } from './cli-error';
import { parseJsonText, readTextFile } from './read-files';

/** The input a run gets when --input is not given: an empty object, so `trigger.x` is simply missing. */
export const DEFAULT_RUN_INPUT = {};

/** `--input JSON` or `--input @file.json`; throws CliError (exit 2) when it is not JSON. */
export async function readRunInput(option: string | undefined): Promise<unknown> {
  if (option === undefined) return DEFAULT_RUN_INPUT;
  if (option.startsWith('@')) {
    const path = option.slice(1);
    return parseJsonText(await readTextFile(path, '--input'), `--input file "${path}"`);
  }
  return parseJsonText(option, '--input');
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `--env KEY=VALUE` pairs as a record; a later KEY wins. The value may itself contain `=`. */
export function parseEnvPairs(pairs: string[], option = '--env'): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    const name = at < 0 ? pair : pair.slice(0, at);
    if (at < 0 || !ENV_NAME.test(name)) {
      throw new CliError(`${option} "${pair}": expected KEY=VALUE with KEY like API_URL`);
    }
    env[name] = pair.slice(at + 1);
  }
  return env;
}

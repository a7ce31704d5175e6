import { parseArgs } from 'node:util';
import { CliError, oneLine } from './cli-error';

/** What the command line asks for, once parsed and checked. */
export type CliCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'validate'; file: string }
  | { kind: 'run'; file: string; input?: string; env: string[]; secrets: string[]; json: boolean };

const options = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
  input: { type: 'string', short: 'i' },
  env: { type: 'string', short: 'e', multiple: true },
  secret: { type: 'string', short: 's', multiple: true },
  json: { type: 'boolean' },
} as const;

/**
 * Parses `maestro` arguments. Throws CliError (exit 2) with a one-line reason
 * for anything it cannot make sense of.
 * @example parseCliArgs(['run', 'a.maestro.json', '--json']) // { kind: 'run', file: 'a.maestro.json', json: true, env: [], secrets: [] }
 */
export function parseCliArgs(argv: string[]): CliCommand {
  const parsed = parseOrExplain(argv);
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  const [command, file, ...extra] = positionals;
  if (command === undefined) return { kind: 'help' };
  if (command === 'help') return { kind: 'help' };
  if (command !== 'validate' && command !== 'run') {
    throw new CliError(
      `unknown command "${command}" (expected validate or run; see maestro --help)`,
    );
  }
  if (file === undefined)
    throw new CliError(`maestro ${command}: missing FILE (see maestro --help)`);
  if (extra.length > 0) throw new CliError(`maestro ${command}: unexpected argument "${extra[0]}"`);
  if (command === 'validate') {
    rejectRunOptions(values);
    return { kind: 'validate', file };
  }
  return {
    kind: 'run',
    file,
    input: values.input,
    env: values.env ?? [],
    secrets: values.secret ?? [],
    json: values.json ?? false,
  };
}

function parseOrExplain(argv: string[]) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    // node:util messages are long and mention "parseArgs"; keep the first sentence.
    const reason = oneLine(error).replace(/\. To specify a positional argument.*$/, '');
    throw new CliError(`${reason} (see maestro --help)`);
  }
}

function rejectRunOptions(values: {
  input?: string;
  env?: string[];
  secret?: string[];
  json?: boolean;
}): void {
  const used = (['input', 'env', 'secret', 'json'] as const).find(
    (name) => values[name] !== undefined,
  );
  if (used) throw new CliError(`maestro validate: --${used} only applies to maestro run`);
}

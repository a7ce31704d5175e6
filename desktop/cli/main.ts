import { assertNever } from '../../shared/src/index';
import { parseCliArgs } from './cli-args';
import { CliError, ExitCode, oneLine } from './cli-error';
import type { CliIo } from './cli-io';
import { processIo } from './cli-io';
import { HELP_TEXT, readVersion } from './help-text';
import { runCommand } from './run-command';
import { validateCommand } from './validate-command';

/**
 * The `maestro` command line. Returns the exit code; never lets a stack trace
 * reach the user: their mistakes are one-line reasons (exit 2), a bug in
 * maestro is one line too (exit 3), with the stack only under MAESTRO_DEBUG=1.
 */
export async function main(argv: string[], io: CliIo = processIo()): Promise<ExitCode> {
  try {
    const command = parseCliArgs(argv);
    switch (command.kind) {
      case 'help':
        io.out(HELP_TEXT);
        return ExitCode.ok;
      case 'version':
        io.out(readVersion());
        return ExitCode.ok;
      case 'validate':
        return await validateCommand(command.file, io);
      case 'run':
        return await runCommand(command, io);
      default:
        return assertNever(command);
    }
  } catch (error) {
    if (error instanceof CliError) {
      // Only the first line is prefixed so that error lines stay `path: message`.
      error.lines.forEach((line, i) => io.err(i === 0 ? `maestro: ${line}` : line));
      return error.exitCode;
    }
    io.err(`maestro: internal error: ${oneLine(error)} (set MAESTRO_DEBUG=1 for details)`);
    if (process.env.MAESTRO_DEBUG === '1')
      io.err(error instanceof Error ? String(error.stack) : String(error));
    return ExitCode.internal;
  }
}

import { readFile } from 'node:fs/promises';
import { CliError, oneLine } from './cli-error';

/** Reads a UTF-8 file; a missing or unreadable file is the user's error (exit 2), in one line. */
export async function readTextFile(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new CliError(`${what}: cannot read "${path}": ${describeFsError(error)}`);
  }
}

/** Parses JSON, reporting where it breaks as line and column rather than a character offset. */
export function parseJsonText(text: string, what: string): unknown {
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new CliError(`${what} is not JSON: ${withLineAndColumn(oneLine(error), text)}`);
  }
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    default:
      return oneLine(error);
  }
}

function withLineAndColumn(message: string, text: string): string {
  const match = /at position (\d+)/.exec(message);
  if (!match) return message;
  const offset = Number(match[1]);
  const before = text.slice(0, offset).split('\n');
  const line = before.length;
  const column = (before.at(-1)?.length ?? 0) + 1;
  return message.replace(/\s*(in JSON )?at position \d+.*$/, ` at line ${line} column ${column}`);
}

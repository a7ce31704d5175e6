/** Exit codes of `maestro` (workflow-v1.md "CLI"; 3 is ours, for bugs). */
export const ExitCode = {
  ok: 0,
  /** The run failed or was cancelled. */
  runFailed: 1,
  /** The user's input is at fault: usage, unreadable file, not JSON, invalid workflow or --input. */
  userError: 2,
  /** A bug in maestro itself. */
  internal: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * An error the user can fix. Each line is printed as is on stderr, without a
 * stack trace, and the process exits with `exitCode`.
 */
export class CliError extends Error {
  readonly lines: string[];
  readonly exitCode: ExitCode;

  constructor(lines: string | string[], exitCode: ExitCode = ExitCode.userError) {
    const all = typeof lines === 'string' ? [lines] : lines;
    super(all.join('\n'));
    this.name = 'CliError';
    this.lines = all;
    this.exitCode = exitCode;
  }
}

/** The message of any thrown value, on one line. */
export function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*\n\s*/g, ' ').trim();
}

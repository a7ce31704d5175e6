import type { TerminalStyle } from './terminal-style';
import { styleFor } from './terminal-style';

/** Where the CLI writes and what it knows about its terminal. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  style: { out: TerminalStyle; err: TerminalStyle };
  stdoutColumns?: number;
  stderrIsTty: boolean;
}

export function processIo(): CliIo {
  // `maestro run … | head -1` closes stdout early: that is not an error worth a stack trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    style: {
      out: styleFor(process.stdout, process.env),
      err: styleFor(process.stderr, process.env),
    },
    stdoutColumns: process.stdout.isTTY ? process.stdout.columns : undefined,
    stderrIsTty: process.stderr.isTTY === true,
  };
}

import { readFileSync } from 'node:fs';

/** `maestro --help`. */
export const HELP_TEXT = `maestro — validate and dry-run Maestro workflows locally

Usage:
  maestro validate FILE
  maestro run FILE [--input JSON|@file.json] [--env KEY=VALUE]... [--secret KEY=VALUE]... [--json]
  maestro --help | --version

Commands:
  validate   Check a workflow file; prints one line per error (path: message).
  run        Dry-run a workflow with the same engine as the desktop app and
             print a per-step summary (or the exact run result with --json).

Options:
  -i, --input JSON|@FILE  The run's input (the trigger's output), inline or from a file. Default: {}
  -e, --env KEY=VALUE     A variable for {{ env.KEY }}; repeat for more. The process environment is not used.
  -s, --secret KEY=VALUE  Like --env, but the value is redacted from everything printed (an API key...).
      --json              Print exactly the run result as JSON on stdout.
  -h, --help              Show this help.
  -v, --version           Show the version.

Exit codes:
  0  valid workflow / the run succeeded
  1  the run failed or was cancelled (Ctrl-C)
  2  unreadable file, not JSON, invalid workflow, invalid --input/--env/--secret or usage
  3  a bug in maestro itself

Progress lines go to stderr when it is a terminal, or once a run lasts over 1 s.
Colours only on a terminal, never when NO_COLOR is set. See docs/cli.md.`;

/** The version of the maestro package this CLI belongs to. */
export function readVersion(): string {
  const manifest = JSON.parse(
    readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
  ) as {
    version?: string;
  };
  return manifest.version ?? 'unknown';
}

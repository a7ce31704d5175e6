// `npm test`: typecheck, lint and format check, then every vitest suite. All of them run even
// when one fails, so a single run shows every problem; the exit code is non-zero if any failed.
// vitest's own summary is the last thing printed. test-output/static-checks.json records the
// static checks for .ci/run's total.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';

const run = (name, cmd, args, { reportEnd = true } = {}) => {
  process.stderr.write(`\n▶ ${name}: ${cmd} ${args.join(' ')}\n`);
  const started = Date.now();
  const { status } = spawnSync(cmd, args, {
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  const ok = status === 0;
  if (reportEnd)
    process.stderr.write(
      `${ok ? '✓' : '✗'} ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`,
    );
  return { name, ok };
};

const checks = [
  run('typecheck', 'npx', ['tsc', '-b']),
  run('lint', 'npx', ['eslint', '.']),
  run('format', 'npx', ['prettier', '--check', '.', '--log-level', 'warn']),
];
mkdirSync('test-output', { recursive: true });
writeFileSync('test-output/static-checks.json', JSON.stringify({ checks }, null, 2));

const failedChecks = checks.filter((c) => !c.ok).map((c) => c.name);
if (failedChecks.length)
  process.stderr.write(`\n✗ failed static checks: ${failedChecks.join(', ')}\n`);

// vitest's own summary stays the last thing printed.
// Only the full run writes the JSON report that .ci/run sums, so a partial `npx vitest run X`
// cannot overwrite it.
const reportArgs = [
  '--reporter=default',
  '--reporter=json',
  '--outputFile.json=test-output/vitest-report.json',
];
const tests = run('tests', 'npx', ['vitest', 'run', ...reportArgs, ...process.argv.slice(2)], {
  reportEnd: false,
});
process.exit(checks.every((c) => c.ok) && tests.ok ? 0 : 1);

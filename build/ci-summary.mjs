// Prints the CI total over all suites as "N passed, N failed[, N skipped]".
// `npm test` (build/test.mjs) has vitest write test-output/vitest-report.json, and
// writes test-output/static-checks.json for typecheck and lint.
import { existsSync, readFileSync } from 'node:fs';

const read = (file) => (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined);
let passed = 0;
let failed = 0;
let skipped = 0;

const checks = read('test-output/static-checks.json');
if (checks) {
  for (const check of checks.checks) {
    if (check.ok) passed++;
    else failed++;
  }
} else {
  failed++; // the static checks never reported: count that as a failure
}

const vitest = read('test-output/vitest-report.json');
if (vitest) {
  passed += vitest.numPassedTests;
  failed += vitest.numFailedTests;
  // A file that fails before its tests run (import error, failing hook) has no failed test: count it.
  for (const file of vitest.testResults) {
    const anyFailed = file.assertionResults.some((t) => t.status === 'failed');
    if (file.status === 'failed' && !anyFailed) failed++;
  }
  skipped += vitest.numPendingTests + vitest.numTodoTests;
} else if (checks && checks.checks.every((c) => c.ok)) {
  failed++; // static checks passed but vitest never wrote its report
}

console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);

#!/usr/bin/env node
// `npm run bench`: runs every bench/*.bench.ts with tsx, one after the other
// (benchmarks sharing two cores would skew each other), each in its own Node
// process so that one file's JIT state and heap do not colour the next.
// `npm run bench -- engine sandbox` runs only the files named after a word (runner →
// runner.bench.ts), or, for a word that names no file, those whose name contains it.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const filters = process.argv.slice(2);
const all = readdirSync(new URL('../bench/', import.meta.url)).filter((name) =>
  name.endsWith('.bench.ts'),
);
const matching = (word) => {
  const exact = all.filter((name) => name === `${word}.bench.ts` || name === word);
  return exact.length > 0 ? exact : all.filter((name) => name.includes(word));
};
const files = (filters.length === 0 ? all : [...new Set(filters.flatMap(matching))]).sort();

if (files.length === 0) {
  console.error(
    `run-bench: no bench/*.bench.ts file${filters.length ? ` matching ${filters.join(', ')}` : ''}`,
  );
  process.exit(2);
}

const failed = [];
for (const name of files) {
  console.log(`\n=== bench/${name} ===`);
  const started = Date.now();
  const { status, signal } = spawnSync(process.execPath, ['--import', 'tsx', `bench/${name}`], {
    cwd: root,
    stdio: 'inherit',
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (status === 0) console.log(`--- bench/${name}: done in ${seconds} s`);
  else {
    failed.push(name);
    console.log(`--- bench/${name}: FAILED (${signal ?? `exit ${status}`}) after ${seconds} s`);
  }
}
if (failed.length > 0) {
  console.error(`\n${failed.length} of ${files.length} bench files failed: ${failed.join(', ')}`);
  process.exit(1);
}
console.log(`\n${files.length} bench file${files.length === 1 ? '' : 's'} ran.`);

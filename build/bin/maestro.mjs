#!/usr/bin/env node
// The `maestro` bin: starts the TypeScript CLI through tsx's loader so that
// `npx maestro …` works right after `npm install`, with no build step.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../../tsconfig.node.json', import.meta.url)) });
const { main } = await import('../../desktop/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));

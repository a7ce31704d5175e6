#!/usr/bin/env node
// The `maestro` bin: starts the TypeScript CLI through tsx's loader so that
// `npx maestro …` works right after `npm install`, with no build step.
import { register } from 'tsx/esm/api';

register({ tsconfig: new URL('../../tsconfig.node.json', import.meta.url).pathname });
const { main } = await import('../../desktop/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));

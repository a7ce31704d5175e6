#!/usr/bin/env node
// The `maestro-runner` bin: runs the TypeScript runner through tsx's loader (no build step).
import { register } from 'tsx/esm/api';

register({ tsconfig: new URL('../../tsconfig.node.json', import.meta.url).pathname });
const { main } = await import('../src/main.ts');
// Exit once main has shut everything down gracefully: a stray handle must not keep the process alive.
process.exit(await main(process.argv.slice(2)));

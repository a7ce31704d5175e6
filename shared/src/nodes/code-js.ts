import { z } from 'zod';
import { defineNode } from './node-definition';

/** Default sandbox limits (workflow-v1.md `code.js`). */
export const DEFAULT_CODE_LIMITS = { cpuMs: 1000, memoryBytes: 64 * 1024 * 1024 };

export const codeNode = defineNode({
  type: 'code.js',
  title: 'JavaScript',
  description:
    'Runs the body of a function in a sandbox; `input` is the context (trigger, steps, env, ...), the return value is the output.',
  category: 'data',
  ports: ['out', 'error'],
  config: z.strictObject({ code: z.string().min(1, 'required') }),
  // The code is a program, not a template: `{{` in JavaScript stays as written.
  literalKeys: ['code'],
  usesIo: true,
  run: async ({ config, context, host, signal, log }) => ({
    // console.* lines from the code become log events (redacted like everything else).
    output: await host.sandbox.run(config.code, context, DEFAULT_CODE_LIMITS, signal, {
      onLog: log,
    }),
  }),
});

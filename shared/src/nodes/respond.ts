import { z } from 'zod';
import { defineNode } from './node-definition';

export const respondNode = defineNode({
  type: 'respond',
  title: 'Respond',
  description: "Sets the webhook's reply (when the webhook responds on completion).",
  category: 'flow',
  ports: ['out'],
  config: z.strictObject({
    status: z.number().int().min(100).max(599).default(200),
    headers: z.record(z.string(), z.string()).default({}),
    body: z.unknown().optional(),
  }),
  usesIo: false,
  run: ({ config }) =>
    Promise.resolve({
      output: { status: config.status, headers: config.headers, body: config.body ?? null },
    }),
});

import { z } from 'zod';
import { defineNode } from './node-definition';

export const transformNode = defineNode({
  type: 'transform',
  title: 'Transform',
  description: 'Builds a value from templates; its output is the evaluated `value`.',
  category: 'data',
  ports: ['out', 'error'],
  // A template that evaluates to nothing gives a missing value, read as null.
  config: z.strictObject({ value: z.unknown().optional() }),
  requiredKeys: ['value'],
  usesIo: false,
  run: ({ config }) => Promise.resolve({ output: config.value ?? null }),
});

import { z } from 'zod';
import { defineNode } from './node-definition';

export const branchIfNode = defineNode({
  type: 'branch.if',
  title: 'If',
  description: 'Takes the `true` or the `false` port depending on `condition`.',
  category: 'logic',
  ports: ['true', 'false'],
  config: z.strictObject({ condition: z.unknown().optional() }),
  requiredKeys: ['condition'],
  usesIo: false,
  run: ({ config }) => {
    const result = isTruthy(config.condition);
    return Promise.resolve({ output: { result }, port: result ? 'true' : 'false' });
  },
});

/**
 * JSONata's boolean casting ($boolean), so that a condition reads the same
 * inside and outside an expression: "", 0, null, missing, [] and {} are false;
 * the string "false" is true (it is a non-empty string).
 */
export function isTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(isTruthy);
  if (value !== null && typeof value === 'object') return Object.keys(value).length > 0;
  return Boolean(value);
}

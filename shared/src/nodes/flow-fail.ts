import { z } from 'zod';
import { StepError } from '../engine/step-error';
import { defineNode } from './node-definition';

export const failNode = defineNode({
  type: 'flow.fail',
  title: 'Fail',
  description: 'Fails the run with code FAIL and the given message.',
  category: 'flow',
  ports: [],
  config: z.strictObject({ message: z.string().min(1, 'required') }),
  usesIo: false,
  run: ({ config }) => Promise.reject(new StepError('FAIL', config.message, { retryable: false })),
});

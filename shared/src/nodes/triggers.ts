import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import { HttpRequestConfig } from './http-request-config';
import { defineNode } from './node-definition';

/** Triggers do not compute anything in the engine: the host builds their output (the run's input). */
const passInput = (context: { context: { trigger: unknown } }) =>
  Promise.resolve({ output: context.context.trigger });

export const manualTrigger = defineNode({
  type: 'trigger.manual',
  title: 'Manual trigger',
  description: 'Starts a run by hand; its output is the run input.',
  category: 'trigger',
  ports: ['out'],
  config: z.strictObject({}),
  usesIo: false,
  run: passInput,
});

export const webhookTrigger = defineNode({
  type: 'trigger.webhook',
  title: 'Webhook',
  description: 'Starts a run on an HTTP request; output { method, path, headers, query, body }.',
  category: 'trigger',
  ports: ['out'],
  config: z.strictObject({
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('POST'),
    respond: z.enum(['accepted', 'onCompletion']).default('accepted'),
  }),
  usesIo: false,
  run: passInput,
});

const CronExpression = z.string().superRefine((value, ctx) => {
  if (value.trim().split(/\s+/).length !== 5) {
    ctx.addIssue({
      code: 'custom',
      message: 'must be a cron expression of 5 fields (minute hour day month weekday)',
    });
    return;
  }
  try {
    CronExpressionParser.parse(value);
  } catch (error) {
    ctx.addIssue({
      code: 'custom',
      message: `not a valid cron expression: ${(error as Error).message}`,
    });
  }
});

const TimeZone = z.string().refine((zone) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone such as "Europe/Paris"');

export const scheduleTrigger = defineNode({
  type: 'trigger.schedule',
  title: 'Schedule',
  description: 'Starts a run on a cron schedule; output { scheduledAt, firedAt }.',
  category: 'trigger',
  ports: ['out'],
  config: z.strictObject({ cron: CronExpression, timezone: TimeZone.default('UTC') }),
  usesIo: false,
  run: passInput,
});

export const pollTrigger = defineNode({
  type: 'trigger.poll',
  title: 'Poll',
  description: 'Polls an HTTP endpoint and starts one run per new item; output { item, polledAt }.',
  category: 'trigger',
  ports: ['out'],
  config: z.strictObject({
    request: HttpRequestConfig,
    intervalSeconds: z.number().int().min(1),
    /** Templates over the response and over each item: evaluated by the host that polls, not here. */
    items: z.string().min(1),
    key: z.string().min(1),
  }),
  literalKeys: ['items', 'key'],
  usesIo: false,
  run: passInput,
});

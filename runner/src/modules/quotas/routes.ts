import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { problemResponses } from '../../http/problem';
import { inOrg, orgOf } from '../../http/request-context';
import { queryIn, readUsage } from './execution-quota';
import { monthWindow } from './month-window';

const UsageReply = z
  .object({
    month: z.string().meta({ description: 'The calendar month counted (UTC), YYYY-MM' }),
    plan: z.string(),
    executions: z.number().int().meta({ description: 'Executions started this month' }),
    quota: z
      .number()
      .int()
      .nullable()
      .meta({ description: 'The plan allows this many; null = unlimited' }),
    remaining: z.number().int().nullable(),
    resetsAt: z.string().meta({ description: 'When the count starts over (ISO 8601 UTC)' }),
  })
  .meta({ id: 'Usage' });

/** `GET /v1/usage`: this month's executions against the plan's quota (read from the database, not a cache). */
export async function usageRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/v1/usage',
    {
      config: { access: 'executions:read' },
      schema: {
        tags: ['usage'],
        summary: "This month's execution count and the plan's monthly quota",
        response: { 200: UsageReply, ...problemResponses },
      },
    },
    async (request) => {
      const now = new Date();
      const usage = await inOrg(request, (em) => readUsage(queryIn(em), orgOf(request).id, now));
      return {
        month: usage.month,
        plan: usage.plan,
        executions: usage.used,
        quota: usage.quota,
        remaining: usage.quota === null ? null : Math.max(0, usage.quota - usage.used),
        resetsAt: monthWindow(now).next.toISOString(),
      };
    },
  );
}

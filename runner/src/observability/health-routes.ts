import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { withSystemContext } from '../db/org-context';

export type BrokerCheck = () => Promise<unknown>;

const Check = z.object({ ok: z.boolean(), error: z.string().optional() });

/** Liveness, readiness (database + broker) and Prometheus metrics, outside /v1 and unauthenticated. */
export async function healthRoutes(
  app: FastifyInstance,
  opts: { checkBroker?: BrokerCheck },
): Promise<void> {
  app.get(
    '/healthz',
    { schema: { hide: true, response: { 200: z.object({ status: z.literal('ok') }) } } },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        hide: true,
        response: {
          200: z.object({ status: z.string(), database: Check, broker: Check }),
          503: z.object({ status: z.string(), database: Check, broker: Check }),
        },
      },
    },
    async (_request, reply) => {
      const [database, broker] = await Promise.all([
        probe(() => app.orm.em.fork().execute('select 1')),
        opts.checkBroker
          ? probe(opts.checkBroker)
          : Promise.resolve({ ok: true, error: 'no broker check configured' }),
      ]);
      const ready = database.ok && broker.ok;
      return reply
        .code(ready ? 200 : 503)
        .send({ status: ready ? 'ready' : 'not ready', database, broker });
    },
  );

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    await sampleExecutionsByStatus(app).catch((err: unknown) =>
      app.log.warn({ err }, 'could not sample executions'),
    );
    return reply.type(app.metrics.registry.contentType).send(await app.metrics.registry.metrics());
  });
}

async function probe(check: () => Promise<unknown>): Promise<{ ok: boolean; error?: string }> {
  try {
    const result = await Promise.race([
      check(),
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error('timed out after 2 s')), 2000).unref(),
      ),
    ]);
    return result === false ? { ok: false, error: 'check failed' } : { ok: true };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

async function sampleExecutionsByStatus(app: FastifyInstance): Promise<void> {
  const rows = await withSystemContext(app.orm, (em) =>
    em.execute<{ status: string; n: number }[]>(
      'select status, count(*)::int as n from executions group by status',
    ),
  );
  app.metrics.executionsInDb.reset();
  for (const row of rows) app.metrics.executionsInDb.set({ status: row.status }, row.n);
}

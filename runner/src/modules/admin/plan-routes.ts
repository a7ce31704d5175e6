import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AuditEvent } from '../../db/entities/audit';
import { Organization } from '../../db/entities/tenancy';
import { withSystemContext } from '../../db/org-context';
import { badRequest, notFound, problemResponses } from '../../http/problem';
import { actorFields } from '../../http/request-context';
import { forgetUsage } from '../quotas/execution-quota';

const PlanId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, {
    message: 'must be 1-64 characters: lower-case letters, digits, "-" or "_"',
  })
  .meta({ description: 'The plan id organizations refer to (`free`, `team`…)' });

const PlanFields = z.strictObject({
  name: z.string().trim().min(1).max(255),
  maxConcurrentExecutions: z.number().int().min(1).max(100_000).meta({
    description: 'Executions running at once per organization (unless it has its own limit)',
  }),
  maxExecutionsPerMonth: z.number().int().min(0).max(2_147_483_647).nullable().meta({
    description: 'Executions an organization may start per calendar month (UTC); null = unlimited',
  }),
});

const PlanInfo = PlanFields.extend({
  id: z.string(),
  organizations: z.number().int().meta({ description: 'Organizations on this plan' }),
}).meta({ id: 'Plan' });

interface PlanRow {
  id: string;
  name: string;
  max_concurrent_executions: number;
  max_executions_per_month: number | null;
  organizations: number;
}

const PLAN_SELECT = `select p.id, p.name, p.max_concurrent_executions, p.max_executions_per_month,
  (select count(*) from organizations o where o.plan_id = p.id)::int as organizations from plans p`;

const planInfo = (row: PlanRow): z.infer<typeof PlanInfo> => ({
  id: row.id,
  name: row.name,
  maxConcurrentExecutions: row.max_concurrent_executions,
  maxExecutionsPerMonth: row.max_executions_per_month,
  organizations: row.organizations,
});

/**
 * Plans for platform administrators (`platform-admin`: the flag and 2FA): list them, create or
 * replace one, move an organization to one. The quota and concurrency checks read the plan from
 * the database (the concurrency limit at every claim; the monthly quota from each process's 5 s
 * view of usage), so a change applies without a restart.
 */
export async function planRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const access = { access: 'platform-admin' as const };

  app.get(
    '/v1/admin/plans',
    {
      config: access,
      schema: {
        tags: ['admin'],
        summary: 'Every plan with its limits and how many organizations are on it',
        response: { 200: z.object({ items: z.array(PlanInfo) }), ...problemResponses },
      },
    },
    async () =>
      withSystemContext(app.orm, async (em) => ({
        items: (await em.execute<PlanRow[]>(`${PLAN_SELECT} order by p.id`)).map(planInfo),
      })),
  );

  app.put(
    '/v1/admin/plans/:id',
    {
      config: access,
      schema: {
        tags: ['admin'],
        summary: 'Create (201) or replace (200) a plan; organizations on it get the new limits',
        params: z.object({ id: PlanId }),
        body: PlanFields,
        response: { 200: PlanInfo, 201: PlanInfo, ...problemResponses },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const body = request.body;
      const row = await withSystemContext(app.orm, async (em) => {
        // One statement: two admins creating the same id cannot both insert.
        const [written] = await em.execute<{ created: boolean }[]>(
          `insert into plans (id, name, max_concurrent_executions, max_executions_per_month)
           values (?, ?, ?, ?)
           on conflict (id) do update set name = excluded.name,
             max_concurrent_executions = excluded.max_concurrent_executions,
             max_executions_per_month = excluded.max_executions_per_month
           returning (xmax = 0) as created`,
          [id, body.name, body.maxConcurrentExecutions, body.maxExecutionsPerMonth],
        );
        const created = Boolean(written?.created);
        em.create(AuditEvent, {
          organizationId: null,
          ...actorFields(request),
          action: created ? 'plan.created' : 'plan.updated',
          targetType: 'plan',
          targetId: id,
          details: { ...body },
        });
        await em.flush();
        const [plan] = await em.execute<PlanRow[]>(`${PLAN_SELECT} where p.id = ?`, [id]);
        return { plan: plan!, created };
      });
      reply.code(row.created ? 201 : 200);
      return planInfo(row.plan);
    },
  );

  app.put(
    '/v1/admin/organizations/:id/plan',
    {
      config: access,
      schema: {
        tags: ['admin'],
        summary:
          "Move an organization to a plan (its quota and concurrency limit follow the plan's)",
        params: z.object({ id: z.uuid({ message: 'must be an organization id' }) }),
        body: z.strictObject({ planId: z.string().min(1).max(64) }),
        response: {
          200: z.object({
            id: z.string(),
            name: z.string(),
            planId: z.string(),
            concurrencyLimit: z.number().int().nullable().meta({
              description:
                "The organization's own concurrency limit, over the plan's (null = the plan's)",
            }),
          }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      const { planId } = request.body;
      const org = await withSystemContext(app.orm, async (em) => {
        const org = await em.findOne(Organization, { id });
        if (!org) throw notFound('organization');
        const [plan] = await em.execute<{ id: string }[]>(
          'select id from plans where id = ? for share',
          [planId],
        );
        if (!plan)
          throw badRequest(`there is no plan "${planId}"`, [
            { path: 'planId', message: 'not a plan id (GET /v1/admin/plans lists them)' },
          ]);
        const from = org.planId;
        org.planId = planId;
        em.create(AuditEvent, {
          organizationId: id,
          ...actorFields(request),
          action: 'organization.plan_changed',
          targetType: 'organization',
          targetId: id,
          details: { from, to: planId },
        });
        await em.flush();
        return org;
      });
      forgetUsage(id);
      return {
        id: org.id,
        name: org.name,
        planId: org.planId,
        concurrencyLimit: org.concurrencyLimit ?? null,
      };
    },
  );
}

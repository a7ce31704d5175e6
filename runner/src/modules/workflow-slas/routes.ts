import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  SlaBody,
  WorkflowSlaInfo,
} from '../../../../shared/src/contracts/runner-api/workflow-slas';
import { notFound, problemResponses } from '../../http/problem';
import { actorFields, inOrg } from '../../http/request-context';
import { getWorkflowFor, viewerOf } from '../workflows/access';
import { WorkflowParams } from '../workflows/schemas';
import { readSla, writeSla } from './repository';

/**
 * A workflow's SLA (docs/decisions/0018): read by whoever sees the workflow, set and removed
 * by whoever may edit it (workflows:write and, on a restricted workflow, an edit grant);
 * a workflow the caller cannot see is 404, as if absent (decision 0007).
 */
export async function workflowSlaRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.get(
    '/v1/workflows/:id/sla',
    {
      config: { access: 'workflows:read' },
      schema: {
        tags: ['workflows'],
        summary: "The workflow's SLA (404 when none is set)",
        params: WorkflowParams,
        response: { 200: WorkflowSlaInfo, ...problemResponses },
      },
    },
    async (request) =>
      inOrg(request, async (em) => {
        const workflow = await getWorkflowFor(em, viewerOf(request), request.params.id, 'view');
        const sla = await readSla(em, workflow.id);
        if (!sla) throw notFound('SLA of this workflow');
        return sla;
      }),
  );

  app.put(
    '/v1/workflows/:id/sla',
    {
      config: { access: 'workflows:write' },
      schema: {
        tags: ['workflows'],
        summary:
          'Set the SLA: slow runs and runs left pending are alerted like failures (replaced whole)',
        params: WorkflowParams,
        body: SlaBody,
        response: { 200: WorkflowSlaInfo, ...problemResponses },
      },
    },
    async (request) =>
      inOrg(request, async (em) => {
        const workflow = await getWorkflowFor(em, viewerOf(request), request.params.id, 'edit', {
          lock: true,
        });
        const sla = await writeSla(em, workflow, request.body, actorFields(request));
        if (!sla) throw new Error('the SLA upsert returned no row');
        return sla;
      }),
  );

  app.delete(
    '/v1/workflows/:id/sla',
    {
      config: { access: 'workflows:write' },
      schema: {
        tags: ['workflows'],
        summary: 'Remove the SLA (no more SLA alerts for this workflow)',
        params: WorkflowParams,
        response: { 204: z.null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      await inOrg(request, async (em) => {
        const workflow = await getWorkflowFor(em, viewerOf(request), request.params.id, 'edit', {
          lock: true,
        });
        await writeSla(em, workflow, null, actorFields(request));
      });
      return reply.code(204).send(null);
    },
  );
}

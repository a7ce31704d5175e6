import type { EntityManager } from '@mikro-orm/postgresql';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ExecutionEntity } from '../../db/entities';
import { Workflow } from '../../db/entities/workflow';
import { conflict, problemResponses } from '../../http/problem';
import { inOrg, orgOf } from '../../http/request-context';
import { createExecution } from '../../outbox/create-execution';
import { WorkflowParams } from '../workflows/schemas';
import {
  getExecutionFor,
  getWorkflowFor,
  viewerOf,
  visibleWorkflows,
  type WorkflowViewer,
} from '../workflows/access';
import {
  countExecutionsByStatus,
  listExecutions,
  listLogs,
  requestCancel,
  runResultOf,
  versionNumberMap,
} from './repository';
import {
  CancelReply,
  ExecutionDetail,
  ExecutionList,
  ExecutionListQuery,
  ExecutionParams,
  ExecutionStats,
  ExecutionStatsQuery,
  LogList,
  OrgExecutionListQuery,
  LogQuery,
  StartBody,
  Started,
} from './schemas';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

function summaryOf(e: ExecutionEntity, version: number | undefined) {
  return {
    id: e.id,
    workflowId: e.workflowId,
    version: version ?? 0,
    status: e.status,
    trigger: e.triggerKind,
    attempt: e.attempt,
    createdAt: e.createdAt.toISOString(),
    startedAt: iso(e.startedAt),
    finishedAt: iso(e.finishedAt),
  };
}

export async function executionRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.post(
    '/v1/workflows/:id/executions',
    {
      config: { access: 'executions:run' },
      schema: {
        tags: ['executions'],
        summary:
          'Start an execution of the active version (Idempotency-Key: one execution per key)',
        params: WorkflowParams,
        body: StartBody,
        response: { 202: Started, ...problemResponses },
      },
    },
    async (request, reply) => {
      const org = orgOf(request);
      const id = await inOrg(request, async (em) => {
        const workflow = await getWorkflowFor(em, viewerOf(request), request.params.id, 'run');
        if (!workflow.enabled)
          throw conflict(
            `the workflow is disabled: ${workflow.disabledReason ?? 'no reason given'}`,
          );
        if (!workflow.activeVersionId) throw conflict('the workflow has no active version');
        const result = await createExecution(em, {
          orgId: org.id,
          workflowId: workflow.id,
          versionId: workflow.activeVersionId,
          input: request.body.input ?? {},
          trigger: 'api',
          idempotencyKey: request.idempotency?.clientKey,
        });
        return result.id;
      });
      return reply.code(202).send({ id, status: 'pending' as const });
    },
  );

  app.get(
    '/v1/workflows/:id/executions',
    {
      config: { access: 'executions:read' },
      schema: {
        tags: ['executions'],
        summary: 'Executions of a workflow, newest first',
        params: WorkflowParams,
        querystring: ExecutionListQuery,
        response: { 200: ExecutionList, ...problemResponses },
      },
    },
    async (request) =>
      inOrg(request, async (em) => {
        const workflow = await getWorkflowFor(em, viewerOf(request), request.params.id, 'view');
        const { page, nextCursor } = await listExecutions(em, workflow.id, request.query);
        const versions = await versionNumberMap(
          em,
          page.map((e) => e.versionId),
        );
        return { items: page.map((e) => summaryOf(e, versions.get(e.versionId))), nextCursor };
      }),
  );

  app.get(
    '/v1/executions',
    {
      config: { access: 'executions:read' },
      schema: {
        tags: ['executions'],
        summary:
          'Executions of the organization (of the workflows the caller may see), newest first',
        querystring: OrgExecutionListQuery,
        response: { 200: ExecutionList, ...problemResponses },
      },
    },
    async (request) =>
      inOrg(request, async (em) => {
        const { workflowId, ...page } = request.query;
        const workflows = await workflowScope(em, viewerOf(request), workflowId);
        const list = await listExecutions(em, workflows, page);
        const versions = await versionNumberMap(
          em,
          list.page.map((e) => e.versionId),
        );
        return {
          items: list.page.map((e) => summaryOf(e, versions.get(e.versionId))),
          nextCursor: list.nextCursor,
        };
      }),
  );

  app.get(
    '/v1/executions/stats',
    {
      config: { access: 'executions:read' },
      schema: {
        tags: ['executions'],
        summary: 'Executions of the organization created since a time, counted by status',
        querystring: ExecutionStatsQuery,
        response: { 200: ExecutionStats, ...problemResponses },
      },
    },
    async (request) =>
      inOrg(request, async (em) => {
        const since = request.query.since
          ? new Date(request.query.since)
          : new Date(Date.now() - 24 * 60 * 60 * 1000);
        const workflows = await workflowScope(em, viewerOf(request), undefined);
        const byStatus = await countExecutionsByStatus(em, orgOf(request).id, workflows, since);
        const total = Object.values(byStatus).reduce((a, b) => a + b, 0);
        return { since: since.toISOString(), total, byStatus };
      }),
  );

  app.get(
    '/v1/executions/:id',
    {
      config: { access: 'executions:read' },
      schema: {
        tags: ['executions'],
        summary: 'The run result with its ids',
        params: ExecutionParams,
        response: { 200: ExecutionDetail, ...problemResponses },
      },
    },
    async (request) =>
      inOrg(request, async (em) => {
        const execution = await getExecutionFor(em, viewerOf(request), request.params.id, 'view');
        const versions = await versionNumberMap(em, [execution.versionId]);
        const { steps, error } = await runResultOf(em, execution);
        return {
          ...summaryOf(execution, versions.get(execution.versionId)),
          versionId: execution.versionId,
          steps,
          ...(error ? { error } : {}),
          cancelRequestedAt: iso(execution.cancelRequestedAt),
        };
      }),
  );

  app.get(
    '/v1/executions/:id/logs',
    {
      config: { access: 'executions:read' },
      schema: {
        tags: ['executions'],
        summary: 'Log lines of an execution, oldest first',
        params: ExecutionParams,
        querystring: LogQuery,
        response: { 200: LogList, ...problemResponses },
      },
    },
    async (request) =>
      inOrg(request, async (em) => {
        const execution = await getExecutionFor(em, viewerOf(request), request.params.id, 'view');
        const { page, nextCursor } = await listLogs(em, execution.id, request.query);
        return {
          items: page.map((l) => ({
            id: String(l.id),
            stepId: l.stepId ?? null,
            level: l.level,
            message: l.message,
            at: l.at.toISOString(),
          })),
          nextCursor,
        };
      }),
  );

  app.post(
    '/v1/executions/:id/cancel',
    {
      config: { access: 'executions:cancel' },
      schema: {
        tags: ['executions'],
        summary: 'Cancel: a pending execution at once, a running one through its worker',
        params: ExecutionParams,
        response: { 202: CancelReply, ...problemResponses },
      },
    },
    async (request, reply) => {
      const execution = await inOrg(request, async (em) => {
        const e = await getExecutionFor(em, viewerOf(request), request.params.id, 'run');
        if (e.status !== 'pending' && e.status !== 'running')
          throw conflict(`the execution already ended (${e.status})`);
        return requestCancel(em, e);
      });
      return reply.code(202).send({
        id: execution.id,
        status: execution.status,
        cancelRequestedAt: iso(execution.cancelRequestedAt),
      });
    },
  );
}

/**
 * Which workflows' executions a viewer may list: one workflow (404/403 as for the workflow
 * itself), every workflow (`undefined`) for those who see all, else the visible ones.
 */
async function workflowScope(
  em: EntityManager,
  viewer: WorkflowViewer,
  workflowId: string | undefined,
): Promise<string[] | undefined> {
  if (workflowId) return [(await getWorkflowFor(em, viewer, workflowId, 'view')).id];
  if (viewer.seesAll) return undefined;
  const visible = await em.find(Workflow, await visibleWorkflows(em, viewer), { fields: ['id'] });
  return visible.map((w) => w.id);
}

import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { validateWorkflow } from '../../../../shared/src/validation/validate-workflow';
import type { TriggerEntity, WorkflowEntity, WorkflowVersionEntity } from '../../db/entities';
import { hmacSecretContext } from '../../crypto/contexts';
import { AuditEvent } from '../../db/entities/audit';
import { WorkflowVersion } from '../../db/entities/workflow';
import { badRequest, conflict, problemResponses } from '../../http/problem';
import { actorUserId, inOrg, orgOf, actorFields } from '../../http/request-context';
import { getWorkflowFor, viewerOf, visibleWorkflows } from './access';
import {
  activeTrigger,
  activeTriggers,
  listWorkflows,
  publishVersion,
  setEnabled,
  versionNumbers,
} from './repository';
import {
  ListQuery,
  PublishBody,
  Published,
  VersionList,
  WebhookSecret,
  WorkflowDetail,
  WorkflowList,
  WorkflowParams,
  WorkflowSummary,
} from './schemas';

export async function workflowRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const publicUrl = app.runnerConfig.publicUrl;

  const webhookOf = (t: TriggerEntity | null | undefined) =>
    t?.kind === 'webhook' && t.webhookToken
      ? {
          token: t.webhookToken,
          url: `${publicUrl}/v1/hooks/${t.webhookToken}`,
          method: t.webhookMethod ?? 'POST',
          respond: t.respondMode ?? 'accepted',
          signed: Boolean(t.hmacSecretEnc),
        }
      : undefined;

  const summaryOf = (
    w: WorkflowEntity,
    t: TriggerEntity | null | undefined,
    v: WorkflowVersionEntity | undefined,
  ) => ({
    id: w.id,
    name: w.name,
    version: v?.version ?? null,
    enabled: w.enabled,
    disabledReason: w.disabledReason ?? null,
    consecutiveFailures: w.consecutiveFailures,
    trigger: t
      ? {
          kind: t.kind,
          webhook: webhookOf(t),
          ...(t.cron ? { cron: t.cron, timezone: t.timezone ?? 'UTC' } : {}),
          ...(t.kind === 'schedule' || t.kind === 'poll'
            ? { nextDueAt: t.nextDueAt?.toISOString() ?? null }
            : {}),
          ...(t.pollIntervalSeconds ? { pollIntervalSeconds: t.pollIntervalSeconds } : {}),
        }
      : null,
    createdAt: w.createdAt.toISOString(),
    updatedAt: w.updatedAt.toISOString(),
  });

  const validated = (definition: unknown) => {
    const result = validateWorkflow(definition);
    if (!result.ok) {
      throw badRequest(
        'the workflow definition is not valid',
        result.errors.map((e) => ({
          path: e.path ? `definition.${e.path}`.replace('.[', '[') : 'definition',
          message: e.message,
        })),
      );
    }
    return result.workflow;
  };

  const publishedReply = (r: Awaited<ReturnType<typeof publishVersion>>) => ({
    id: r.workflow.id,
    version: r.version.version,
    versionId: r.version.id,
    ...(webhookOf(r.trigger) ? { webhook: webhookOf(r.trigger) } : {}),
  });

  app.post(
    '/v1/workflows',
    {
      config: { access: 'workflows:write' },
      schema: {
        tags: ['workflows'],
        summary: 'Publish a new workflow (version 1, active)',
        body: PublishBody,
        response: { 201: Published, ...problemResponses },
      },
    },
    async (request, reply) => {
      const definition = validated(request.body.definition);
      const result = await inOrg(request, (em) =>
        publishVersion(em, { orgId: orgOf(request).id, userId: actorUserId(request), definition }),
      );
      return reply.code(201).send(publishedReply(result));
    },
  );

  app.put(
    '/v1/workflows/:id',
    {
      config: { access: 'workflows:write' },
      schema: {
        tags: ['workflows'],
        summary: 'Publish a new version and make it active',
        params: WorkflowParams,
        body: PublishBody,
        response: { 200: Published, ...problemResponses },
      },
    },
    async (request) => {
      const definition = validated(request.body.definition);
      const result = await inOrg(request, async (em) => {
        await getWorkflowFor(em, viewerOf(request), request.params.id, 'edit', { lock: true });
        return publishVersion(em, {
          orgId: orgOf(request).id,
          userId: actorUserId(request),
          definition,
          workflowId: request.params.id,
        });
      });
      return publishedReply(result);
    },
  );

  app.get(
    '/v1/workflows',
    {
      config: { access: 'workflows:read' },
      schema: {
        tags: ['workflows'],
        summary: 'List workflows, newest first',
        querystring: ListQuery,
        response: { 200: WorkflowList, ...problemResponses },
      },
    },
    async (request) =>
      inOrg(request, async (em) => {
        const { page, nextCursor } = await listWorkflows(
          em,
          request.query.cursor,
          request.query.limit,
          await visibleWorkflows(em, viewerOf(request)),
        );
        const triggers = await activeTriggers(
          em,
          page.map((w) => w.id),
        );
        const versions = await versionNumbers(
          em,
          page.map((w) => w.activeVersionId).filter((v): v is string => !!v),
        );
        return {
          items: page.map((w) =>
            summaryOf(w, triggers.get(w.id), versions.get(w.activeVersionId ?? '')),
          ),
          nextCursor,
        };
      }),
  );

  app.get(
    '/v1/workflows/:id',
    {
      config: { access: 'workflows:read' },
      schema: {
        tags: ['workflows'],
        summary: 'A workflow with its active definition and trigger',
        params: WorkflowParams,
        response: { 200: WorkflowDetail, ...problemResponses },
      },
    },
    async (request) =>
      inOrg(request, async (em) => {
        const workflow = await getWorkflowFor(em, viewerOf(request), request.params.id, 'view');
        const trigger = await activeTrigger(em, workflow.id);
        const version = (
          await versionNumbers(em, workflow.activeVersionId ? [workflow.activeVersionId] : [])
        ).get(workflow.activeVersionId ?? '');
        return {
          ...summaryOf(workflow, trigger, version),
          versionId: version?.id ?? null,
          definition: version?.definition ?? null,
        };
      }),
  );

  app.get(
    '/v1/workflows/:id/versions',
    {
      config: { access: 'workflows:read' },
      schema: {
        tags: ['workflows'],
        summary: 'Every published version, newest first (to roll back, PUT an old definition)',
        params: WorkflowParams,
        response: { 200: VersionList, ...problemResponses },
      },
    },
    async (request) =>
      inOrg(request, async (em) => {
        const workflow = await getWorkflowFor(em, viewerOf(request), request.params.id, 'view');
        const versions = await em.find(
          WorkflowVersion,
          { workflowId: workflow.id },
          { orderBy: { version: 'desc' } },
        );
        return {
          items: versions.map((v) => ({
            id: v.id,
            version: v.version,
            active: v.id === workflow.activeVersionId,
            createdAt: v.createdAt.toISOString(),
            createdBy: v.createdBy ?? null,
          })),
        };
      }),
  );

  for (const action of ['enable', 'disable'] as const) {
    app.post(
      `/v1/workflows/:id/${action}`,
      {
        config: { access: 'workflows:write' },
        schema: {
          tags: ['workflows'],
          summary:
            action === 'enable'
              ? 'Enable (resets the failure count, re-arms schedules from now)'
              : 'Disable',
          params: WorkflowParams,
          body: z.strictObject({ reason: z.string().max(500).optional() }).nullish(),
          response: { 200: WorkflowSummary, ...problemResponses },
        },
      },
      async (request) =>
        inOrg(request, async (em) => {
          const workflow = await getWorkflowFor(em, viewerOf(request), request.params.id, 'edit', {
            lock: true,
          });
          await setEnabled(
            em,
            workflow,
            action === 'enable',
            request.body?.reason ?? 'disabled by a user',
          );
          em.create(AuditEvent, {
            organizationId: workflow.organizationId,
            ...actorFields(request),
            action: `workflow.${action}d`,
            targetType: 'workflow',
            targetId: workflow.id,
          });
          await em.flush();
          const trigger = await activeTrigger(em, workflow.id);
          const versions = await versionNumbers(
            em,
            workflow.activeVersionId ? [workflow.activeVersionId] : [],
          );
          return summaryOf(workflow, trigger, versions.get(workflow.activeVersionId ?? ''));
        }),
    );
  }

  app.post(
    '/v1/workflows/:id/webhook-secret',
    {
      config: { access: 'workflows:write' },
      schema: {
        tags: ['workflows'],
        summary: 'Create or rotate the HMAC-SHA256 secret of the webhook trigger (shown once)',
        params: WorkflowParams,
        response: { 201: WebhookSecret, ...problemResponses },
      },
    },
    async (request, reply) => {
      const secret = `whsec_${randomBytes(32).toString('base64url')}`;
      await inOrg(request, async (em) => {
        const workflow = await getWorkflowFor(em, viewerOf(request), request.params.id, 'edit');
        const trigger = await activeTrigger(em, workflow.id);
        if (trigger?.kind !== 'webhook')
          throw conflict('the active version has no webhook trigger');
        trigger.hmacSecretEnc = app.secretBox.seal(secret, hmacSecretContext(workflow.id));
        em.create(AuditEvent, {
          organizationId: workflow.organizationId,
          ...actorFields(request),
          action: 'workflow.webhook_secret_rotated',
          targetType: 'workflow',
          targetId: workflow.id,
        });
        await em.flush();
      });
      return reply.code(201).send({ secret });
    },
  );
}

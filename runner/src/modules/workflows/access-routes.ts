import type { EntityManager } from '@mikro-orm/postgresql';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  WorkflowAccess,
  WorkflowAccessLevel,
} from '../../../../shared/src/contracts/runner-api/workflows';
import type { WorkflowEntity } from '../../db/entities';
import { AuditEvent } from '../../db/entities/audit';
import { User } from '../../db/entities/identity';
import { Membership } from '../../db/entities/tenancy';
import { WorkflowGrant } from '../../db/entities/workflow-access';
import { badRequest, problemResponses } from '../../http/problem';
import { actorFields, inOrg } from '../../http/request-context';
import { getWorkflowFor, viewerOf } from './access';
import { isUuid } from './repository';
import { WorkflowParams } from './schemas';

const AccessBody = z.strictObject({
  restricted: z
    .boolean()
    .describe('true: only the listed members (and holders of workflows:share) see the workflow'),
  members: z.array(z.strictObject({ userId: z.string(), access: WorkflowAccessLevel })).max(1000),
});

async function accessReply(em: EntityManager, workflow: WorkflowEntity) {
  const grants = await em.find(
    WorkflowGrant,
    { workflowId: workflow.id },
    { orderBy: { createdAt: 'asc' } },
  );
  const users = await em.find(User, { id: { $in: grants.map((g) => g.userId) } });
  const byId = new Map(users.map((u) => [u.id, u]));
  return {
    restricted: workflow.restricted,
    members: grants.flatMap((g) => {
      const u = byId.get(g.userId);
      return u ? [{ userId: u.id, email: u.email, name: u.name, access: g.access }] : [];
    }),
  };
}

/** Workflow sharing: restrict a workflow to named members (docs/decisions/0007). */
export async function workflowAccessRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.get(
    '/v1/workflows/:id/access',
    {
      config: { access: 'workflows:read' },
      schema: {
        tags: ['workflows'],
        summary: 'Whether the workflow is restricted, and the members it is shared with',
        params: WorkflowParams,
        response: { 200: WorkflowAccess, ...problemResponses },
      },
    },
    async (request) =>
      inOrg(request, async (em) =>
        accessReply(em, await getWorkflowFor(em, viewerOf(request), request.params.id, 'view')),
      ),
  );

  app.put(
    '/v1/workflows/:id/access',
    {
      config: { access: 'workflows:share' },
      schema: {
        tags: ['workflows'],
        summary:
          'Restrict the workflow to named members (or lift the restriction); replaces the member list',
        params: WorkflowParams,
        body: AccessBody,
        response: { 200: WorkflowAccess, ...problemResponses },
      },
    },
    async (request) =>
      inOrg(request, async (em) => {
        const workflow = await getWorkflowFor(em, viewerOf(request), request.params.id, 'edit', {
          lock: true,
        });
        const { members } = request.body;
        await assertMembers(em, members);
        const before = await accessReply(em, workflow);
        await em.nativeDelete(WorkflowGrant, { workflowId: workflow.id });
        for (const m of members)
          em.create(WorkflowGrant, {
            organizationId: workflow.organizationId,
            workflowId: workflow.id,
            userId: m.userId,
            access: m.access,
          });
        workflow.restricted = request.body.restricted;
        em.create(AuditEvent, {
          organizationId: workflow.organizationId,
          ...actorFields(request),
          action: 'workflow.access_changed',
          targetType: 'workflow',
          targetId: workflow.id,
          details: {
            before: { restricted: before.restricted, members: grantsOf(before.members) },
            after: { restricted: workflow.restricted, members: grantsOf(members) },
          },
        });
        await em.flush();
        return accessReply(em, workflow);
      }),
  );
}

const grantsOf = (members: { userId: string; access: string }[]) =>
  members.map((m) => ({ userId: m.userId, access: m.access }));

/** Every listed user must be a member of the organization, and listed once. */
async function assertMembers(em: EntityManager, members: { userId: string }[]) {
  const ids = members.map((m) => m.userId);
  const found = await em.find(Membership, {
    userId: { $in: ids.filter(isUuid) },
  });
  const known = new Set(found.map((m) => m.userId));
  const errors = members.flatMap((m, i) => {
    if (!known.has(m.userId))
      return [{ path: `members[${i}].userId`, message: 'not a member of the organization' }];
    if (ids.indexOf(m.userId) !== i)
      return [{ path: `members[${i}].userId`, message: 'listed more than once' }];
    return [];
  });
  if (errors.length) throw badRequest('the member list is not valid', errors);
}

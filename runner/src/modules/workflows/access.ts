import type { FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ExecutionEntity, WorkflowEntity } from '../../db/entities';
import { Workflow } from '../../db/entities/workflow';
import { WorkflowGrant, type WorkflowAccessLevel } from '../../db/entities/workflow-access';
import { forbidden, notFound } from '../../http/problem';
import { actorUserId, orgOf, type OrgScope, type Principal } from '../../http/request-context';
import { getExecution } from '../executions/repository';
import { getWorkflow } from './repository';

/**
 * Who is looking at workflows: holders of workflows:share (owners and admins) see every
 * workflow; anyone else sees unrestricted ones and the restricted ones they are named on.
 * An API key is judged by the user who created it.
 */
export interface WorkflowViewer {
  userId: string | null;
  seesAll: boolean;
}

export function viewerOf(request: {
  org: OrgScope | null;
  principal: Principal | null;
}): WorkflowViewer {
  return {
    userId: actorUserId(request),
    seesAll: orgOf(request).permissions.has('workflows:share'),
  };
}

const RANK: Record<WorkflowAccessLevel, number> = { view: 1, run: 2, edit: 3 };

/** The viewer's access to the workflow, or null when it is invisible to them. */
export async function accessTo(
  em: EntityManager,
  viewer: WorkflowViewer,
  workflow: WorkflowEntity,
): Promise<WorkflowAccessLevel | null> {
  // Unrestricted: the route's permission alone decides.
  if (!workflow.restricted || viewer.seesAll) return 'edit';
  if (!viewer.userId) return null;
  const grant = await em.findOne(WorkflowGrant, {
    workflowId: workflow.id,
    userId: viewer.userId,
  });
  return grant?.access ?? null;
}

/** 404 when the workflow is invisible to the viewer (as if absent), 403 when visible but not enough. */
export async function requireAccess(
  em: EntityManager,
  viewer: WorkflowViewer,
  workflow: WorkflowEntity,
  needed: WorkflowAccessLevel,
): Promise<void> {
  const access = await accessTo(em, viewer, workflow);
  if (!access) throw notFound('workflow');
  if (RANK[access] < RANK[needed])
    throw forbidden(`this workflow is shared with you for ${access} only; ${needed} is needed`);
}

/** getWorkflow, then the viewer's access checked. */
export async function getWorkflowFor(
  em: EntityManager,
  viewer: WorkflowViewer,
  id: string,
  needed: WorkflowAccessLevel,
  opts: { lock?: boolean } = {},
): Promise<WorkflowEntity> {
  const workflow = await getWorkflow(em, id, opts);
  await requireAccess(em, viewer, workflow, needed);
  return workflow;
}

/** An execution whose workflow the viewer may access at `needed` (else 404/403 as for the workflow). */
export async function getExecutionFor(
  em: EntityManager,
  viewer: WorkflowViewer,
  id: string,
  needed: WorkflowAccessLevel,
): Promise<ExecutionEntity> {
  const execution = await getExecution(em, id);
  if (!viewer.seesAll) {
    const workflow = await em.findOne(Workflow, { id: execution.workflowId });
    if (!workflow) throw notFound('execution');
    const access = await accessTo(em, viewer, workflow);
    // An execution of an invisible workflow is itself invisible.
    if (!access) throw notFound('execution');
    if (RANK[access] < RANK[needed])
      throw forbidden(`this workflow is shared with you for ${access} only; ${needed} is needed`);
  }
  return execution;
}

/** A filter for workflow listings: what the viewer may see. */
export async function visibleWorkflows(
  em: EntityManager,
  viewer: WorkflowViewer,
): Promise<FilterQuery<WorkflowEntity>> {
  if (viewer.seesAll) return {};
  const granted = viewer.userId
    ? await em.find(WorkflowGrant, { userId: viewer.userId }, { fields: ['workflowId'] })
    : [];
  return {
    $or: [{ restricted: false }, { id: { $in: granted.map((g) => g.workflowId) } }],
  };
}

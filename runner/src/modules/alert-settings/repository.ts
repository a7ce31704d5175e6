import type { EntityManager } from '@mikro-orm/postgresql';
import type { AlertSettingsBody } from '../../../../shared/src/contracts/runner-api/notifications';
import { AuditEvent } from '../../db/entities/audit';
import { AlertSettings } from '../../db/entities/failure-alerts';
import { Workflow } from '../../db/entities/workflow';
import { badRequest } from '../../http/problem';
import { visibleWorkflows, type WorkflowViewer } from '../workflows/access';

/** The caller's settings; muted workflows that are gone or no longer visible are left out. */
export async function readAlertSettings(
  em: EntityManager,
  viewer: WorkflowViewer & { userId: string },
): Promise<AlertSettingsBody> {
  const row = await em.findOne(AlertSettings, { userId: viewer.userId });
  if (!row) return { muteAll: false, mutedWorkflowIds: [] };
  const visible = await em.find(
    Workflow,
    { $and: [{ id: { $in: row.mutedWorkflowIds } }, await visibleWorkflows(em, viewer)] },
    { fields: ['id'] },
  );
  const kept = new Set(visible.map((w) => w.id));
  return {
    muteAll: row.muteAll,
    mutedWorkflowIds: row.mutedWorkflowIds.filter((id) => kept.has(id)),
  };
}

/**
 * Replaces the caller's settings. Every muted id must name a workflow the caller can see
 * (400 naming the entry otherwise, as if absent: invisible workflows are not revealed).
 */
export async function writeAlertSettings(
  em: EntityManager,
  input: {
    orgId: string;
    viewer: WorkflowViewer & { userId: string };
    body: AlertSettingsBody;
    actor: { actorUserId: string | null; actorApiKeyId: string | null };
  },
): Promise<AlertSettingsBody> {
  const ids = [...new Set(input.body.mutedWorkflowIds)];
  const visible = await em.find(
    Workflow,
    { $and: [{ id: { $in: ids } }, await visibleWorkflows(em, input.viewer)] },
    { fields: ['id'] },
  );
  const known = new Set(visible.map((w) => w.id));
  const errors = input.body.mutedWorkflowIds.flatMap((id, i) =>
    known.has(id) ? [] : [{ path: `mutedWorkflowIds[${i}]`, message: 'no such workflow' }],
  );
  if (errors.length) throw badRequest('the muted workflow list is not valid', errors);
  await em.upsert(AlertSettings, {
    organizationId: input.orgId,
    userId: input.viewer.userId,
    muteAll: input.body.muteAll,
    mutedWorkflowIds: ids,
    updatedAt: new Date(),
  });
  em.create(AuditEvent, {
    organizationId: input.orgId,
    ...input.actor,
    action: 'alert-settings.update',
    targetType: 'user',
    targetId: input.viewer.userId,
    details: { muteAll: input.body.muteAll, mutedWorkflowIds: ids },
  });
  await em.flush();
  return { muteAll: input.body.muteAll, mutedWorkflowIds: ids };
}

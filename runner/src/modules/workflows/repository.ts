import { LockMode, type FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { TriggerEntity, WorkflowEntity, WorkflowVersionEntity } from '../../db/entities';
import type { Workflow as WorkflowDoc } from '../../../../shared/src/model/workflow';
import { AuditEvent } from '../../db/entities/audit';
import { Trigger, Workflow, WorkflowVersion } from '../../db/entities/workflow';
import { newId } from '../../db/ids';
import { notFound } from '../../http/problem';
import { newWebhookToken, nextCronTime, planTrigger } from './triggers';

type TriggerRow = TriggerEntity;
type WorkflowRow = WorkflowEntity;
type VersionRow = WorkflowVersionEntity;

export interface PublishInput {
  orgId: string;
  userId: string | null;
  definition: WorkflowDoc;
  /** Publish a new version of this workflow; absent = a new workflow. */
  workflowId?: string;
}

export interface PublishResult {
  workflow: WorkflowRow;
  version: VersionRow;
  trigger: TriggerRow;
}

/**
 * Writes an immutable version, makes it active, and re-registers its trigger: the previous
 * trigger is deactivated, handing over what must survive a new version (the webhook token
 * and HMAC secret, so the URL does not change; the poll state, so seen items stay seen).
 */
export async function publishVersion(
  em: EntityManager,
  input: PublishInput,
): Promise<PublishResult> {
  const plan = planTrigger(input.definition);
  let workflow: WorkflowRow;
  let versionNumber = 1;
  if (input.workflowId) {
    workflow = await getWorkflow(em, input.workflowId, { lock: true });
    const [row] = await em.execute<{ max: number | null }[]>(
      'select max(version) as max from workflow_versions where workflow_id = ?',
      [workflow.id],
    );
    versionNumber = (row?.max ?? 0) + 1;
    workflow.name = input.definition.name;
  } else {
    workflow = em.create(Workflow, {
      id: newId(),
      organizationId: input.orgId,
      name: input.definition.name,
    });
  }
  const version = em.create(WorkflowVersion, {
    id: newId(),
    organizationId: input.orgId,
    workflowId: workflow.id,
    version: versionNumber,
    definition: input.definition as unknown as Record<string, unknown>,
    createdBy: input.userId,
  });
  const previous = input.workflowId
    ? await em.findOne(Trigger, { workflowId: workflow.id, active: true })
    : null;
  if (previous) {
    previous.active = false;
    // Free the unique token before the new row takes it over.
    if (previous.webhookToken) {
      await em.nativeUpdate(Trigger, { id: previous.id }, { active: false, webhookToken: null });
    }
  }
  const trigger = em.create(Trigger, {
    id: newId(),
    organizationId: input.orgId,
    workflowId: workflow.id,
    versionId: version.id,
    kind: plan.kind,
    webhookToken: plan.kind === 'webhook' ? (previous?.webhookToken ?? newWebhookToken()) : null,
    webhookMethod: plan.webhookMethod ?? null,
    respondMode: plan.respondMode ?? null,
    hmacSecretEnc: plan.kind === 'webhook' ? (previous?.hmacSecretEnc ?? null) : null,
    cron: plan.cron ?? null,
    timezone: plan.timezone ?? null,
    nextDueAt: plan.nextDueAt ?? null,
    pollIntervalSeconds: plan.pollIntervalSeconds ?? null,
    pollState:
      plan.kind === 'poll' && previous?.kind === 'poll'
        ? (previous.pollState ?? {})
        : plan.kind === 'poll'
          ? {}
          : null,
    active: true,
  });
  workflow.activeVersionId = version.id;
  em.create(AuditEvent, {
    organizationId: input.orgId,
    actorUserId: input.userId,
    action: input.workflowId ? 'workflow.version_published' : 'workflow.created',
    targetType: 'workflow',
    targetId: workflow.id,
    details: { version: versionNumber, trigger: plan.kind },
  });
  await em.flush();
  return { workflow, version, trigger };
}

export async function getWorkflow(
  em: EntityManager,
  id: string,
  opts: { lock?: boolean } = {},
): Promise<WorkflowRow> {
  if (!isUuid(id)) throw notFound('workflow');
  // The org filter (and RLS below it) makes another organization's workflow look absent: 404, not 403.
  const workflow = await em.findOne(
    Workflow,
    { id },
    opts.lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {},
  );
  if (!workflow) throw notFound('workflow');
  return workflow;
}

export async function activeTrigger(
  em: EntityManager,
  workflowId: string,
): Promise<TriggerRow | null> {
  return em.findOne(Trigger, { workflowId, active: true });
}

export async function activeTriggers(
  em: EntityManager,
  workflowIds: string[],
): Promise<Map<string, TriggerRow>> {
  if (workflowIds.length === 0) return new Map();
  const rows = await em.find(Trigger, { workflowId: { $in: workflowIds }, active: true });
  return new Map(rows.map((t) => [t.workflowId, t]));
}

export async function versionNumbers(
  em: EntityManager,
  versionIds: string[],
): Promise<Map<string, VersionRow>> {
  if (versionIds.length === 0) return new Map();
  const rows = await em.find(WorkflowVersion, { id: { $in: versionIds } });
  return new Map(rows.map((v) => [v.id, v]));
}

/**
 * Cursor = the last id of the previous page (ids are time-ordered uuid v7); `visible` is the
 * viewer's filter (access.ts visibleWorkflows).
 */
export async function listWorkflows(
  em: EntityManager,
  cursor: string | undefined,
  limit: number,
  visible: FilterQuery<WorkflowRow> = {},
) {
  const after = cursor && isUuid(cursor) ? { id: { $lt: cursor } } : {};
  const rows = await em.find(
    Workflow,
    { $and: [after, visible] },
    { orderBy: { id: 'desc' }, limit: limit + 1 },
  );
  const page = rows.slice(0, limit);
  return { page, nextCursor: rows.length > limit ? page[page.length - 1]!.id : null };
}

/** Enabling re-arms a schedule from now: times missed while disabled are skipped. */
export async function setEnabled(
  em: EntityManager,
  workflow: WorkflowRow,
  enabled: boolean,
  reason: string | null,
) {
  workflow.enabled = enabled;
  workflow.disabledReason = enabled ? null : reason;
  if (enabled) {
    workflow.consecutiveFailures = 0;
    const trigger = await activeTrigger(em, workflow.id);
    if (trigger?.kind === 'schedule' && trigger.cron) {
      trigger.nextDueAt = nextCronTime(trigger.cron, trigger.timezone ?? 'UTC', new Date());
    }
  }
  await em.flush();
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

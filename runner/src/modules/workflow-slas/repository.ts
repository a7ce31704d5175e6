import type { EntityManager } from '@mikro-orm/postgresql';
import type {
  SlaBody,
  WorkflowSlaInfo,
} from '../../../../shared/src/contracts/runner-api/workflow-slas';
import type { WorkflowEntity } from '../../db/entities';
import { AuditEvent } from '../../db/entities/audit';

type Actor = { actorUserId: string | null; actorApiKeyId: string | null };

interface SlaRow {
  workflow_id: string;
  max_duration_seconds: number;
  max_start_delay_seconds: number | null;
  updated_at: string | Date;
}

const infoOf = (row: SlaRow): WorkflowSlaInfo => ({
  workflowId: row.workflow_id,
  maxDurationSeconds: row.max_duration_seconds,
  maxStartDelaySeconds: row.max_start_delay_seconds,
  updatedAt: new Date(row.updated_at).toISOString(),
});

const COLUMNS = 'workflow_id, max_duration_seconds, max_start_delay_seconds, updated_at';

/** The workflow's SLA, or null when none is set. */
export async function readSla(
  em: EntityManager,
  workflowId: string,
): Promise<WorkflowSlaInfo | null> {
  const [row] = await em.execute<SlaRow[]>(
    `select ${COLUMNS} from workflow_slas where workflow_id = ?`,
    [workflowId],
  );
  return row ? infoOf(row) : null;
}

/**
 * Sets (body) or removes (null) the workflow's SLA, audited as `workflow.sla_changed` with the
 * limits before and after. The caller has locked the workflow row. `created_at` stays that of
 * the first SLA: breaches are looked for from then on (sla-breaches.ts).
 */
export async function writeSla(
  em: EntityManager,
  workflow: WorkflowEntity,
  body: SlaBody | null,
  actor: Actor,
): Promise<WorkflowSlaInfo | null> {
  const before = await readSla(em, workflow.id);
  const [row] = body
    ? await em.execute<SlaRow[]>(
        `insert into workflow_slas (workflow_id, organization_id, max_duration_seconds, max_start_delay_seconds)
         values (?, ?, ?, ?)
         on conflict (workflow_id) do update
           set max_duration_seconds = excluded.max_duration_seconds,
               max_start_delay_seconds = excluded.max_start_delay_seconds, updated_at = now()
         returning ${COLUMNS}`,
        [workflow.id, workflow.organizationId, body.maxDurationSeconds, body.maxStartDelaySeconds],
      )
    : await em.execute<SlaRow[]>('delete from workflow_slas where workflow_id = ? returning *', [
        workflow.id,
      ]);
  const limits = (sla: WorkflowSlaInfo | SlaBody | null) =>
    sla && {
      maxDurationSeconds: sla.maxDurationSeconds,
      maxStartDelaySeconds: sla.maxStartDelaySeconds,
    };
  em.create(AuditEvent, {
    organizationId: workflow.organizationId,
    ...actor,
    action: 'workflow.sla_changed',
    targetType: 'workflow',
    targetId: workflow.id,
    details: { before: limits(before), after: limits(body) },
  });
  await em.flush();
  return body && row ? infoOf(row) : null;
}

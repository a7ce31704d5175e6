import type { EntityManager } from '@mikro-orm/postgresql';
import type { Role } from '../db/entities/tenancy';
import type { WorkflowAccessLevel } from '../db/entities/workflow-access';
import { grantedPermissions } from '../http/permissions';

export interface AlertRecipient {
  userId: string;
  email: string;
}

interface Candidate {
  user_id: string;
  email: string;
  role: Role;
  role_id: string | null;
  custom_permissions: string[] | null;
  grant_access: WorkflowAccessLevel | null;
}

/**
 * Whether a member may edit the workflow, by the rules of decision 0007: the route permission
 * `workflows:write`, and for a restricted workflow `workflows:share` (owners and admins) or an
 * `edit` grant. A custom role whose row cannot be read grants nothing (fail closed).
 */
export function canEditWorkflow(candidate: Candidate, restricted: boolean): boolean {
  const permissions = grantedPermissions(
    candidate.role,
    candidate.role_id ? (candidate.custom_permissions ?? []) : null,
  );
  if (!permissions.has('workflows:write')) return false;
  return !restricted || permissions.has('workflows:share') || candidate.grant_access === 'edit';
}

/**
 * Who hears about a workflow's alerts (failures, SLA breaches): the organization's members
 * who may edit it (owners and admins always can), minus disabled accounts and members who
 * muted this workflow or all alerts. Run inside the organization's context (withOrgContext):
 * RLS limits every table read.
 */
export async function alertRecipients(
  em: EntityManager,
  orgId: string,
  workflow: { id: string; restricted: boolean },
): Promise<AlertRecipient[]> {
  const candidates = await em.execute<Candidate[]>(
    `select m.user_id, u.email, m.role, m.role_id, r.permissions as custom_permissions, g.access as grant_access
       from memberships m
       join users u on u.id = m.user_id and u.disabled_at is null
       left join roles r on r.id = m.role_id and r.organization_id = m.organization_id
       left join workflow_grants g on g.workflow_id = ? and g.user_id = m.user_id and g.organization_id = m.organization_id
       left join alert_settings s on s.organization_id = m.organization_id and s.user_id = m.user_id
      where m.organization_id = ?
        and (s.user_id is null or not (s.mute_all or s.muted_workflow_ids @> jsonb_build_array(?::text)))
      order by m.user_id`,
    [workflow.id, orgId, workflow.id],
  );
  return candidates
    .filter((c) => canEditWorkflow(c, workflow.restricted))
    .map((c) => ({ userId: c.user_id, email: c.email }));
}

/**
 * What the desktop reads from a runner (runner-api-v1.md), checked at the
 * boundary. Objects are not strict: a newer runner may add fields.
 */
import { z } from 'zod';
import { StepResult } from '../../../shared/src/model/run-result';

export const Tokens = z.object({
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1),
  expiresIn: z.number().positive(),
});
export type Tokens = z.infer<typeof Tokens>;

export const Me = z.object({ id: z.string(), email: z.string(), name: z.string() });

/** Roles are plain strings: a runner may define custom ones. */
export const OrganizationWithRole = z.object({
  id: z.string(),
  name: z.string(),
  role: z.string(),
});
export type OrganizationWithRole = z.infer<typeof OrganizationWithRole>;
export const OrganizationList = z.object({ items: z.array(OrganizationWithRole) });
export const Organization = z.object({ id: z.string(), name: z.string() });

export const Member = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  /** A built-in role name or a custom role id; `roleName` is what to show. */
  role: z.string(),
  roleName: z.string().optional(),
  joinedAt: z.string(),
});
export type Member = z.infer<typeof Member>;
export const MemberList = z.object({ items: z.array(Member) });

const Webhook = z.object({ token: z.string(), url: z.string(), method: z.string().optional() });
export const Published = z.object({
  id: z.string(),
  version: z.number().int(),
  webhook: Webhook.optional(),
});

export const WorkflowSummary = z.object({
  id: z.string(),
  name: z.string(),
  version: z.number().int().nullable(),
  enabled: z.boolean(),
  trigger: z.object({ kind: z.string(), webhook: Webhook.optional() }).nullable(),
});
export type WorkflowSummary = z.infer<typeof WorkflowSummary>;
export const WorkflowList = z.object({
  items: z.array(WorkflowSummary),
  nextCursor: z.string().nullable(),
});

export const EXECUTION_STATUSES = ['pending', 'running', 'success', 'failed', 'canceled'] as const;
export const ExecutionStatus = z.enum(EXECUTION_STATUSES);

export const ExecutionSummary = z.object({
  id: z.string(),
  workflowId: z.string(),
  version: z.number().int(),
  status: z.string(),
  trigger: z.string(),
  attempt: z.number().int(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type ExecutionSummary = z.infer<typeof ExecutionSummary>;
export const ExecutionList = z.object({
  items: z.array(ExecutionSummary),
  nextCursor: z.string().nullable(),
});

export const ExecutionDetail = ExecutionSummary.extend({
  steps: z.record(z.string(), StepResult),
  error: z
    .object({ code: z.string(), message: z.string(), step: z.string().optional() })
    .optional(),
  cancelRequestedAt: z.string().nullable().optional(),
});
export type ExecutionDetail = z.infer<typeof ExecutionDetail>;

export const LogList = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      stepId: z.string().nullable(),
      level: z.string(),
      message: z.string(),
      at: z.string(),
    }),
  ),
  nextCursor: z.string().nullable(),
});
export type LogList = z.infer<typeof LogList>;

export const CancelReply = z.object({ id: z.string(), status: z.string() });
export const RoleReply = z.object({ id: z.string(), role: z.string() });
export const Nothing = z.null();

export const RoleList = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      builtIn: z.boolean(),
      permissions: z.array(z.string()),
    }),
  ),
});
export type RoleList = z.infer<typeof RoleList>;

export const Invitation = z.object({
  id: z.string(),
  email: z.string(),
  role: z.string(),
  roleName: z.string(),
  expiresAt: z.string(),
  createdAt: z.string(),
});
export const InvitationList = z.object({ items: z.array(Invitation) });
export const InvitationSent = Invitation.extend({ emailSent: z.boolean() });

export const WORKFLOW_ACCESS_LEVELS = ['view', 'run', 'edit'] as const;
export const WorkflowAccess = z.object({
  restricted: z.boolean(),
  members: z.array(
    z.object({
      userId: z.string(),
      email: z.string(),
      name: z.string(),
      access: z.enum(WORKFLOW_ACCESS_LEVELS),
    }),
  ),
});

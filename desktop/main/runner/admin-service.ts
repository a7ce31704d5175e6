import { z } from 'zod';
import { roleTable } from './organization-permissions';
import type { RunnerConnectionService } from './runner-connection-service';
import {
  InvitationList,
  InvitationSent,
  Member,
  MemberList,
  Organization,
  WorkflowAccess,
  WorkflowAccessLevel,
} from '../../../shared/src/contracts/runner-api';

const Id = z.string().min(1).max(200);
/** A built-in role name (`owner`, `admin`, `member`) or a custom role id. */
const RoleRef = z.string().trim().min(1).max(200);

export const OrganizationRef = z.strictObject({ organizationId: Id });
export const MemberTarget = OrganizationRef.extend({ userId: Id });
export const RoleChange = MemberTarget.extend({ role: RoleRef });
export const NewInvitation = OrganizationRef.extend({
  email: z.string().trim().email('an email address'),
  role: RoleRef.default('member'),
});
export const InvitationTarget = OrganizationRef.extend({ invitationId: Id });
export const WorkflowRef = z.strictObject({ runnerWorkflowId: Id });
export const WorkflowAccessChange = WorkflowRef.extend({
  restricted: z.boolean(),
  members: z.array(z.strictObject({ userId: Id, access: WorkflowAccessLevel })).max(1000),
});

const enc = encodeURIComponent;

/**
 * Organizations, members, roles, invitations and workflow sharing, from the
 * desktop. The runner enforces every rule; `canManage` / `canShare` only let
 * the screens show a member a read-only view instead of buttons that would be refused.
 */
export class AdminService {
  constructor(private readonly connections: RunnerConnectionService) {}

  async organizations() {
    return this.connections.organizations(this.connections.activeProfile().id);
  }

  async createOrganization(name: string) {
    return this.connections.send(
      this.connections.activeProfile(),
      null,
      { method: 'POST', path: '/v1/organizations', body: { name } },
      Organization,
    );
  }

  /** Members with their roles, the roles there are, and what the caller may change. */
  async members(organizationId: string) {
    const [list, { roles, permissions }] = await Promise.all([
      this.in(organizationId).send(
        { method: 'GET', path: `/v1/organizations/${enc(organizationId)}/users` },
        MemberList,
      ),
      roleTable(this.connections, organizationId),
    ]);
    return {
      items: list.items,
      roles: roles.items.map((r) => ({ id: r.id, name: r.name, builtIn: r.builtIn })),
      // What the caller's role lets them do, from the runner's own role table.
      canManage: permissions.has('members:manage'),
      canShare: permissions.has('workflows:share'),
    };
  }

  async changeRole(input: z.infer<typeof RoleChange>) {
    return this.in(input.organizationId).send(
      {
        method: 'PUT',
        path: `/v1/organizations/${enc(input.organizationId)}/users/${enc(input.userId)}`,
        body: { role: input.role },
      },
      Member,
    );
  }

  async removeMember(input: z.infer<typeof MemberTarget>) {
    await this.in(input.organizationId).send(
      {
        method: 'DELETE',
        path: `/v1/organizations/${enc(input.organizationId)}/users/${enc(input.userId)}`,
      },
      z.null(),
    );
  }

  /** Emails a single-use link (the runner's invitations); the person need not have an account. */
  async invite(input: z.input<typeof NewInvitation>) {
    const { organizationId, email, role } = NewInvitation.parse(input);
    return this.in(organizationId).send(
      {
        method: 'POST',
        path: `/v1/organizations/${enc(organizationId)}/invitations`,
        body: { email, role },
      },
      InvitationSent,
    );
  }

  async invitations(organizationId: string) {
    return this.in(organizationId).send(
      { method: 'GET', path: `/v1/organizations/${enc(organizationId)}/invitations` },
      InvitationList,
    );
  }

  async revokeInvitation(input: z.infer<typeof InvitationTarget>) {
    await this.in(input.organizationId).send(
      {
        method: 'DELETE',
        path: `/v1/organizations/${enc(input.organizationId)}/invitations/${enc(input.invitationId)}`,
      },
      z.null(),
    );
  }

  /** Who may see a workflow of the organization in use (runner workflow sharing). */
  async workflowAccess(runnerWorkflowId: string) {
    return this.connections
      .context()
      .send(
        { method: 'GET', path: `/v1/workflows/${enc(runnerWorkflowId)}/access` },
        WorkflowAccess,
      );
  }

  async setWorkflowAccess(input: z.infer<typeof WorkflowAccessChange>) {
    return this.connections.context().send(
      {
        method: 'PUT',
        path: `/v1/workflows/${enc(input.runnerWorkflowId)}/access`,
        body: { restricted: input.restricted, members: input.members },
      },
      WorkflowAccess,
    );
  }

  private in(organizationId: string) {
    return this.connections.context(undefined, organizationId);
  }
}

import { z } from 'zod';
import type { RunnerConnectionService } from './runner-connection-service';
import { Member, MemberList, Nothing, Organization, RoleReply } from './runner-schemas';

/** Roles that may manage members (runner permission `members:manage`). */
export const MANAGING_ROLES: ReadonlySet<string> = new Set(['owner', 'admin']);
export const ASSIGNABLE_ROLES = ['owner', 'admin', 'member'] as const;

export const MemberTarget = z.strictObject({
  organizationId: z.string().min(1),
  userId: z.string().min(1),
});
export const RoleChange = MemberTarget.extend({ role: z.enum(ASSIGNABLE_ROLES) });
export const NewMember = z.strictObject({
  organizationId: z.string().min(1),
  email: z.string().trim().email('an email address'),
  role: z.enum(ASSIGNABLE_ROLES).default('member'),
});

const enc = encodeURIComponent;

/**
 * Organizations and members, from the desktop. The runner enforces roles;
 * `canManage` only lets the screens show a member a read-only view instead
 * of buttons that would be refused.
 */
export class AdminService {
  constructor(private readonly connections: RunnerConnectionService) {}

  async organizations() {
    const items = await this.connections.organizations(this.connections.activeProfile().id);
    return items.map((o) => ({ ...o, canManage: MANAGING_ROLES.has(o.role) }));
  }

  async createOrganization(name: string) {
    const profile = this.connections.activeProfile();
    return this.connections.send(
      profile,
      null,
      { method: 'POST', path: '/v1/organizations', body: { name } },
      Organization,
    );
  }

  async members(organizationId: string) {
    const [list, organizations] = await Promise.all([
      this.in(organizationId).send(
        { method: 'GET', path: `/v1/organizations/${enc(organizationId)}/users` },
        MemberList,
      ),
      this.organizations(),
    ]);
    const mine = organizations.find((o) => o.id === organizationId);
    return { items: list.items, canManage: mine?.canManage ?? false };
  }

  async addMember(input: z.input<typeof NewMember>) {
    const { organizationId, email, role } = NewMember.parse(input);
    return this.in(organizationId).send(
      {
        method: 'POST',
        path: `/v1/organizations/${enc(organizationId)}/users`,
        body: { email, role },
      },
      Member,
    );
  }

  async changeRole(input: z.infer<typeof RoleChange>) {
    return this.in(input.organizationId).send(
      {
        method: 'PUT',
        path: `/v1/organizations/${enc(input.organizationId)}/users/${enc(input.userId)}`,
        body: { role: input.role },
      },
      RoleReply,
    );
  }

  async removeMember(input: z.infer<typeof MemberTarget>) {
    await this.in(input.organizationId).send(
      {
        method: 'DELETE',
        path: `/v1/organizations/${enc(input.organizationId)}/users/${enc(input.userId)}`,
      },
      Nothing,
    );
  }

  private in(organizationId: string) {
    return this.connections.context(undefined, organizationId);
  }
}

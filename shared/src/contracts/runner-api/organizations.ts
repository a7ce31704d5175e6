import { z } from 'zod';

/** `POST /v1/organizations` → 201. @example Organization.parse({ id: 'o1', name: 'Acme' }) */
export const Organization = z
  .object({ id: z.string(), name: z.string() })
  .meta({ id: 'Organization' });
export type Organization = z.infer<typeof Organization>;

/** One of the caller's organizations; roles are strings, a runner may define custom ones. */
export const OrganizationWithRole = Organization.extend({ role: z.string() });
export type OrganizationWithRole = z.infer<typeof OrganizationWithRole>;

/** `GET /v1/organizations`. @example OrganizationList.parse(json).items[0]?.role */
export const OrganizationList = z.object({ items: z.array(OrganizationWithRole) });

/** A member with their role (`GET /v1/organizations/{orgId}/users`). @example Member.parse(json).roleName */
export const Member = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    role: z.string().describe('a built-in role name or a custom role id'),
    roleName: z.string(),
    joinedAt: z.string(),
  })
  .meta({ id: 'Member' });
export type Member = z.infer<typeof Member>;
/** @example MemberList.parse(json).items.length */
export const MemberList = z.object({ items: z.array(Member) });

/** A built-in or custom role with its permissions. @example Role.parse(json).permissions */
export const Role = z
  .object({
    id: z.string().describe('the built-in role name, or the custom role id'),
    name: z.string(),
    builtIn: z.boolean(),
    permissions: z.array(z.string()),
    createdAt: z.string().nullable(),
    updatedAt: z.string().nullable(),
  })
  .meta({ id: 'Role' });
export type Role = z.infer<typeof Role>;
/** `GET /v1/organizations/{orgId}/roles`. @example RoleList.parse(json).items */
export const RoleList = z.object({ items: z.array(Role) });
export type RoleList = z.infer<typeof RoleList>;

/** A pending invitation. @example Invitation.parse(json).expiresAt */
export const Invitation = z
  .object({
    id: z.string(),
    email: z.string(),
    role: z.string().describe('a built-in role name or a custom role id'),
    roleName: z.string(),
    invitedBy: z.string().nullable(),
    expiresAt: z.string(),
    createdAt: z.string(),
  })
  .meta({ id: 'Invitation' });
export type Invitation = z.infer<typeof Invitation>;
/** `GET /v1/organizations/{orgId}/invitations`. @example InvitationList.parse(json).items */
export const InvitationList = z.object({ items: z.array(Invitation) });
/** `POST /v1/organizations/{orgId}/invitations` → 201. @example InvitationSent.parse(json).emailSent */
export const InvitationSent = Invitation.extend({
  emailSent: z.boolean().describe('false when the mail server refused the message'),
});

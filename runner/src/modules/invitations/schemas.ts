import { z } from 'zod';
import { displayName } from '../../http/display-name';
import { Email, Tokens } from '../auth/schemas';
import { RoleRef } from '../roles/role-ref';

// The answers the desktop reads are the shared contract.
export {
  Invitation as InvitationInfo,
  InvitationList,
  InvitationSent,
} from '../../../../shared/src/contracts/runner-api/organizations';

export const OrgParams = z.object({ orgId: z.string() });
export const InvitationParams = z.object({ orgId: z.string(), invitationId: z.string() });

export const InviteBody = z.strictObject({ email: Email, role: RoleRef.default('member') });

export const AcceptBody = z.strictObject({
  token: z.string().min(1).max(4000),
  name: displayName(200).optional().describe('to create the account (without a user access token)'),
  password: z
    .string()
    .max(200)
    .optional()
    .describe('to create the account (without a user access token)'),
});

export const Accepted = z
  .object({
    organizationId: z.string(),
    userId: z.string(),
    role: z.string(),
    roleName: z.string(),
  })
  .extend(Tokens.partial().shape)
  .meta({ id: 'InvitationAccepted' });

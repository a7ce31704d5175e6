import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AuditEvent } from '../../db/entities/audit';
import { User } from '../../db/entities/identity';
import { Organization } from '../../db/entities/tenancy';
import { withOrgContext } from '../../db/org-context';
import { authenticate } from '../../http/auth';
import { badRequest, forbidden, problemResponses } from '../../http/problem';
import { actorFields, actorUserId, inOrg, orgOf } from '../../http/request-context';
import { passwordProblem } from '../../identity/password-policy';
import { hashPassword } from '../auth/passwords';
import { issueTokens } from '../auth/repository';
import { assertMayAssign, resolveRole, roleRefOf, storedRole } from '../roles/role-ref';
import { invitationMail, readInvitationToken, signInvitationToken } from './invitation-link';
import {
  acceptInvitation,
  createInvitation,
  getPendingInvitation,
  invitationInfo,
  listPendingInvitations,
  type Acceptor,
} from './repository';
import {
  AcceptBody,
  Accepted,
  InvitationList,
  InvitationParams,
  InvitationSent,
  InviteBody,
  OrgParams,
} from './schemas';

/** Invitations by email: an emailed single-use link creates or links the account (decision 0007). */
export async function invitationRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const config = app.runnerConfig;

  app.post(
    '/v1/organizations/:orgId/invitations',
    {
      config: { access: 'members:manage' },
      schema: {
        tags: ['invitations'],
        summary: `Invite someone by email with a role; the link works once, for 7 days`,
        params: OrgParams,
        body: InviteBody,
        response: {
          201: InvitationSent,
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const org = orgOf(request);
      const inviterId = actorUserId(request);
      const made = await inOrg(request, async (em) => {
        const role = await resolveRole(em, request.body.role);
        assertMayAssign(org.permissions, role);
        const { invitation, replaced } = await createInvitation(em, {
          organizationId: org.id,
          email: request.body.email,
          role,
          invitedBy: inviterId,
        });
        em.create(AuditEvent, {
          organizationId: org.id,
          ...actorFields(request),
          action: 'invitation.created',
          targetType: 'invitation',
          targetId: invitation.id,
          details: { email: invitation.email, role: roleRefOf(invitation), replaced },
        });
        await em.flush();
        const organization = await em.findOneOrFail(Organization, { id: org.id });
        const inviter = inviterId ? await em.findOne(User, { id: inviterId }) : null;
        return { invitation, role, organization, inviter };
      });
      const token = await signInvitationToken(config, {
        invitationId: made.invitation.id,
        organizationId: org.id,
        email: made.invitation.email,
      });
      const emailSent = await app.mailer
        .send(
          invitationMail(config, {
            to: made.invitation.email,
            organizationName: made.organization.name,
            inviterName: made.inviter?.name ?? null,
            token,
          }),
        )
        .then(() => true)
        .catch((err: unknown) => {
          request.log.error(
            { err, invitationId: made.invitation.id },
            'could not send the invitation email',
          );
          return false;
        });
      return reply
        .code(201)
        .send({ ...invitationInfo(made.invitation, made.role.name), emailSent });
    },
  );

  app.get(
    '/v1/organizations/:orgId/invitations',
    {
      config: { access: 'members:manage' },
      schema: {
        tags: ['invitations'],
        summary: 'Pending invitations (not accepted, revoked or expired), newest first',
        params: OrgParams,
        response: { 200: InvitationList, ...problemResponses },
      },
    },
    async (request) => ({ items: await inOrg(request, listPendingInvitations) }),
  );

  app.delete(
    '/v1/organizations/:orgId/invitations/:invitationId',
    {
      config: { access: 'members:manage' },
      schema: {
        tags: ['invitations'],
        summary: 'Revoke a pending invitation: its link stops working',
        params: InvitationParams,
        response: { 204: z.null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      const org = orgOf(request);
      await inOrg(request, async (em) => {
        const inv = await getPendingInvitation(em, request.params.invitationId);
        assertMayAssign(org.permissions, await storedRole(em, inv));
        inv.revokedAt = new Date();
        em.create(AuditEvent, {
          organizationId: org.id,
          ...actorFields(request),
          action: 'invitation.revoked',
          targetType: 'invitation',
          targetId: inv.id,
          details: { email: inv.email },
        });
        await em.flush();
      });
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/invitations/accept',
    {
      config: {
        access: 'public',
        rateLimit: { max: config.authRateLimitPerMinute, timeWindow: '1 minute' },
      },
      schema: {
        tags: ['invitations'],
        summary:
          'Accept an invitation: signed in (Bearer access token of the invited, verified address) or with { name, password } to create the account, answered with tokens like login',
        // Credentials optional: none (create the account) or a user access token.
        security: [{}, { bearer: [] }],
        body: AcceptBody,
        response: { 200: Accepted, ...problemResponses },
      },
    },
    async (request) => {
      const claims = await readInvitationToken(config, request.body.token);
      if (!claims) throw badRequest('the invitation link is invalid or expired');
      const acceptor = await acceptorOf(request, request.body, claims.email);
      const { user, invitation, roleName } = await withOrgContext(
        app.orm,
        claims.organizationId,
        (em) => acceptInvitation(em, claims, acceptor),
      );
      app.credentialCache.memberships.clear(`${invitation.organizationId}:${user.id}`);
      const tokens =
        acceptor.kind === 'new' ? await issueTokens(app.orm.em.fork(), config, user.id) : {};
      return {
        organizationId: invitation.organizationId,
        userId: user.id,
        role: roleRefOf(invitation),
        roleName,
        ...tokens,
      };
    },
  );

  /** A signed-in user (Authorization sent), or the new account's name and checked, hashed password. */
  async function acceptorOf(
    request: FastifyRequest,
    { name, password }: z.infer<typeof AcceptBody>,
    invitedEmail: string,
  ): Promise<Acceptor> {
    if (request.headers.authorization) {
      const principal = await authenticate(app, request);
      if (principal.kind !== 'user')
        throw forbidden('accept an invitation with a user access token, not an API key');
      if (name !== undefined || password !== undefined)
        throw badRequest('signed in: send only the token', [
          {
            path: name !== undefined ? 'name' : 'password',
            message: 'not expected when signed in',
          },
        ]);
      return { kind: 'user', userId: principal.userId };
    }
    const errors = [
      ...(name === undefined ? [{ path: 'name', message: 'required to create the account' }] : []),
      ...(password === undefined
        ? [{ path: 'password', message: 'required to create the account' }]
        : []),
    ];
    if (errors.length)
      throw badRequest(
        'send an access token, or a name and password to create the account',
        errors,
      );
    const problem = passwordProblem(password!, invitedEmail);
    if (problem)
      throw badRequest('the password does not meet the policy', [
        { path: 'password', message: problem },
      ]);
    return { kind: 'new', name: name!, passwordHash: await hashPassword(password!) };
  }
}

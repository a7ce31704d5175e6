import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { RefreshToken, User } from '../../db/entities/identity';
import { z } from 'zod';
import { badRequest, conflict, problemResponses, unauthorized } from '../../http/problem';
import {
  readVerificationToken,
  signVerificationToken,
  verificationMail,
} from './email-verification';
import { dummyPasswordHash, hashPassword, needsRehash, verifyPassword } from './passwords';
import { fingerprint, readResetToken, resetMail, signResetToken } from './password-reset';
import { findUserByEmail, issueTokens, rotateRefreshToken } from './repository';
import { Email, LoginBody, RefreshBody, RegisterBody, RegisteredUser, Tokens } from './schemas';

/**
 * Email + password identity: register (with a verification email), verify, login, refresh,
 * password recovery. TOTP, OIDC and invitations (identity issue) plug in here: `totp` is
 * accepted and ignored until then.
 */
export async function authRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const authLimit = { max: app.runnerConfig.authRateLimitPerMinute, timeWindow: '1 minute' };

  app.post(
    '/v1/auth/register',
    {
      config: { access: 'public', rateLimit: authLimit },
      schema: {
        tags: ['auth'],
        summary: 'Create a user account',
        security: [],
        body: RegisterBody,
        response: { 201: RegisteredUser, ...problemResponses },
      },
    },
    async (request, reply) => {
      const em = app.orm.em.fork();
      if (await findUserByEmail(em, request.body.email))
        throw conflict('an account with this email already exists');
      const user = em.create(User, {
        email: request.body.email,
        name: request.body.name,
        passwordHash: await hashPassword(request.body.password),
      });
      try {
        await em.flush();
      } catch (error) {
        if ((error as { code?: string }).code === '23505')
          throw conflict('an account with this email already exists');
        throw error;
      }
      request.log.info({ userId: user.id }, 'user registered');
      const token = await signVerificationToken(app.runnerConfig, user.id, user.email);
      // Registration stands even if mail is down: the user can ask for a new link later.
      await app.mailer
        .send(verificationMail(app.runnerConfig, user.email, token))
        .catch((err: unknown) =>
          request.log.error({ err, userId: user.id }, 'could not send the verification email'),
        );
      return reply.code(201).send({ id: user.id, email: user.email, name: user.name });
    },
  );

  app.post(
    '/v1/auth/verify-email',
    {
      config: { access: 'public', rateLimit: authLimit },
      schema: {
        tags: ['auth'],
        summary: 'Confirm an email address with the token from the verification link',
        security: [],
        body: z.strictObject({ token: z.string().min(1).max(2000) }),
        response: { 200: z.object({ verified: z.literal(true) }), ...problemResponses },
      },
    },
    async (request) => {
      const claims = await readVerificationToken(app.runnerConfig, request.body.token);
      if (!claims) throw badRequest('the verification link is invalid or expired');
      const em = app.orm.em.fork();
      const user = await em.findOne(User, { id: claims.userId });
      if (!user || user.email !== claims.email)
        throw badRequest('the verification link is invalid or expired');
      user.emailVerifiedAt ??= new Date();
      await em.flush();
      return { verified: true as const };
    },
  );

  app.post(
    '/v1/auth/password/forgot',
    {
      config: { access: 'public', rateLimit: authLimit },
      schema: {
        tags: ['auth'],
        summary:
          'Email a password reset link (always 202: whether the account exists is not revealed)',
        security: [],
        body: z.strictObject({ email: Email }),
        response: { 202: z.object({ accepted: z.literal(true) }), ...problemResponses },
      },
    },
    async (request, reply) => {
      const user = await findUserByEmail(app.orm.em.fork(), request.body.email);
      if (user) {
        const token = await signResetToken(app.runnerConfig, user.id, user.passwordHash ?? null);
        await app.mailer
          .send(resetMail(app.runnerConfig, user.email, token))
          .catch((err: unknown) =>
            request.log.error({ err, userId: user.id }, 'could not send the reset email'),
          );
      }
      return reply.code(202).send({ accepted: true as const });
    },
  );

  app.post(
    '/v1/auth/password/reset',
    {
      config: { access: 'public', rateLimit: authLimit },
      schema: {
        tags: ['auth'],
        summary: 'Set a new password with the token from the reset link; signs out every session',
        security: [],
        body: z.strictObject({
          token: z.string().min(1).max(2000),
          password: RegisterBody.shape.password,
        }),
        response: { 200: z.object({ reset: z.literal(true) }), ...problemResponses },
      },
    },
    async (request) => {
      const claims = await readResetToken(app.runnerConfig, request.body.token);
      const em = app.orm.em.fork();
      const user = claims ? await em.findOne(User, { id: claims.userId }) : null;
      if (
        !claims ||
        !user ||
        fingerprint(user.passwordHash ?? null) !== claims.passwordFingerprint
      ) {
        throw badRequest('the reset link is invalid, expired or already used');
      }
      user.passwordHash = await hashPassword(request.body.password);
      // Whoever knew the old password may hold refresh tokens: end every session.
      await em.nativeUpdate(
        RefreshToken,
        { userId: user.id, revokedAt: null },
        { revokedAt: new Date() },
      );
      await em.flush();
      return { reset: true as const };
    },
  );

  app.post(
    '/v1/auth/login',
    {
      config: { access: 'public', rateLimit: authLimit },
      schema: {
        tags: ['auth'],
        summary: 'Exchange email and password for tokens',
        security: [],
        body: LoginBody,
        response: { 200: Tokens, ...problemResponses },
      },
    },
    async (request) => {
      const em = app.orm.em.fork();
      const user = await findUserByEmail(em, request.body.email);
      // Verify against a dummy hash for unknown emails so response time does not reveal accounts.
      const ok = await verifyPassword(
        request.body.password,
        user?.passwordHash ?? dummyPasswordHash(),
      );
      if (!user || !user.passwordHash || !ok) throw unauthorized('wrong email or password');
      await app.requireSecondFactor(em, user.id, request.body.totp); // runner/src/identity
      // Hashes made with older, cheaper parameters are upgraded while the password is at hand.
      if (needsRehash(user.passwordHash)) {
        user.passwordHash = await hashPassword(request.body.password);
        await em.flush();
      }
      return issueTokens(em, app.runnerConfig, user.id);
    },
  );

  app.post(
    '/v1/auth/refresh',
    {
      config: { access: 'public', rateLimit: authLimit },
      schema: {
        tags: ['auth'],
        summary: 'Rotate a refresh token for a new token pair',
        security: [],
        body: RefreshBody,
        response: { 200: Tokens, ...problemResponses },
      },
    },
    async (request) => {
      const pair = await rotateRefreshToken(
        app.orm.em.fork(),
        app.runnerConfig,
        request.body.refreshToken,
      );
      if (!pair) throw unauthorized('the refresh token is invalid, expired or already used');
      return pair;
    },
  );
}

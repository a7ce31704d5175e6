import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  TwoFactorDisabled,
  TwoFactorEnabled,
  TwoFactorEnrolment,
  TwoFactorStatus,
} from '../../../shared/src/contracts/runner-api/two-factor';
import { User } from '../db/entities/identity';
import { RecoveryCode, UserTotp } from '../db/entities/two-factor';
import { badRequest, conflict, HttpProblem, problemResponses, unauthorized } from '../http/problem';
import { verifyPassword } from '../modules/auth/passwords';
import { CodeVerifier, OneTimeCode } from './oidc/schemas';
import { redeemStepUpCode } from './oidc/step-up';
import {
  acceptTotp,
  checkSecondFactor,
  issueRecoveryCodes,
  newTotpSecret,
  sealTotpSecret,
  totpFor,
} from './totp';

const Code = z.strictObject({ code: z.string().trim().min(6).max(20) });
/**
 * Re-authentication for enrolment: the password, or (for accounts without one, e.g. created by
 * OIDC) the one-time code of a step-up at the identity provider with its PKCE verifier.
 */
const EnrolBody = z
  .strictObject({
    password: z.string().min(1).max(200).optional(),
    oidcCode: OneTimeCode.optional().describe(
      'the one-time code of POST /v1/auth/oidc/{provider}/reauth, instead of the password',
    ),
    codeVerifier: CodeVerifier.optional().describe("the PKCE verifier of that step-up's challenge"),
  })
  .superRefine((body, ctx) => {
    const stepUp = body.oidcCode !== undefined || body.codeVerifier !== undefined;
    if (body.password !== undefined && stepUp)
      ctx.addIssue({
        code: 'custom',
        path: ['password'],
        message: 'send either password or oidcCode, not both',
      });
    else if (body.password === undefined && !stepUp)
      ctx.addIssue({
        code: 'custom',
        path: ['password'],
        message: 'required (or oidcCode and codeVerifier)',
      });
    else if (stepUp)
      for (const field of ['oidcCode', 'codeVerifier'] as const)
        if (body[field] === undefined)
          ctx.addIssue({ code: 'custom', path: [field], message: 'required with a step-up' });
  });

/** TOTP enrolment (RFC 6238): enrol → confirm with a first code → recovery codes; disable. */
export async function twoFactorRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const userId = (request: { principal: unknown }) =>
    (request.principal as { userId: string }).userId;
  // Wrong codes count in the login throttle under the user's id (key `a:user:<id>`), so a stolen
  // access token cannot be used to guess codes faster than a login could.
  const codeKey = (request: { principal: unknown }) => `user:${userId(request)}`;
  const checkLock = async (request: { principal: unknown; ip: string }) => {
    const wait = await app.loginThrottle.retryAfter(codeKey(request), request.ip);
    if (wait > 0)
      throw new HttpProblem(429, `too many wrong codes; retry in ${wait} s`, undefined, {
        'retry-after': String(wait),
      });
  };
  const countWrong = (request: { principal: unknown; ip: string }) =>
    app.loginThrottle.recordFailure(codeKey(request), request.ip);
  const limited = {
    access: 'user' as const,
    rateLimit: { max: app.runnerConfig.authRateLimitPerMinute, timeWindow: '1 minute' },
  };

  app.get(
    '/v1/auth/2fa',
    {
      config: { access: 'user' },
      schema: {
        tags: ['auth'],
        summary: 'Two-factor status of the signed-in user',
        response: {
          200: TwoFactorStatus,
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const em = app.orm.em.fork();
      const row = await em.findOne(UserTotp, { userId: userId(request) });
      const left = await em.count(RecoveryCode, { userId: userId(request), usedAt: null });
      return { enabled: Boolean(row?.enabledAt), recoveryCodesLeft: row?.enabledAt ? left : 0 };
    },
  );

  app.post(
    '/v1/auth/2fa/enrol',
    {
      config: limited,
      schema: {
        tags: ['auth'],
        summary:
          'Start TOTP enrolment (re-enter the password, or step up at the identity provider): a new secret and its otpauth:// URI (for a QR code)',
        body: EnrolBody,
        response: {
          201: TwoFactorEnrolment,
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const em = app.orm.em.fork();
      const id = userId(request);
      const existing = await em.findOne(UserTotp, { userId: id });
      if (existing?.enabledAt) throw conflict('two-factor authentication is already enabled');
      const user = await em.findOneOrFail(User, { id });
      // A stolen access token alone must not be enough to bind an attacker's authenticator.
      const { password, oidcCode, codeVerifier } = request.body;
      if (password !== undefined) {
        if (!user.passwordHash || !(await verifyPassword(password, user.passwordHash)))
          throw unauthorized('the password is wrong');
      } else if (!(await redeemStepUpCode(em, id, oidcCode!, codeVerifier!))) {
        throw unauthorized(
          'the re-authentication code is invalid, expired, already used or not for this verifier: step up at the identity provider again',
        );
      }
      const secret = newTotpSecret();
      const secretEnc = sealTotpSecret(app.secretBox, id, secret);
      if (existing) Object.assign(existing, { secretEnc, lastStep: null });
      else em.create(UserTotp, { userId: id, secretEnc });
      await em.flush();
      return reply.code(201).send({ secret, otpauthUri: totpFor(secret, user.email).toString() });
    },
  );

  app.post(
    '/v1/auth/2fa/confirm',
    {
      config: limited,
      schema: {
        tags: ['auth'],
        summary: 'Finish enrolment with a current code; returns 10 single-use recovery codes once',
        body: Code,
        response: {
          200: TwoFactorEnabled,
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const em = app.orm.em.fork();
      await checkLock(request);
      const row = await em.findOne(UserTotp, { userId: userId(request) });
      if (!row || row.enabledAt)
        throw badRequest('no two-factor enrolment is waiting for confirmation');
      if (!acceptTotp(app.secretBox, row, request.body.code)) {
        await countWrong(request);
        throw badRequest('the code is wrong', [{ path: 'code', message: 'wrong or expired code' }]);
      }
      row.enabledAt = new Date();
      await em.flush();
      return { enabled: true as const, recoveryCodes: await issueRecoveryCodes(em, row.userId) };
    },
  );

  app.post(
    '/v1/auth/2fa/disable',
    {
      config: limited,
      schema: {
        tags: ['auth'],
        summary: 'Turn two-factor off; needs a current code or a recovery code',
        body: Code,
        response: { 200: TwoFactorDisabled, ...problemResponses },
      },
    },
    async (request) => {
      const em = app.orm.em.fork();
      const id = userId(request);
      await checkLock(request);
      const outcome = await checkSecondFactor(em, app.secretBox, id, request.body.code);
      if (outcome === 'none') throw badRequest('two-factor authentication is not enabled');
      if (outcome !== 'ok') {
        await countWrong(request);
        throw unauthorized('the two-factor code is wrong');
      }
      await em.nativeDelete(RecoveryCode, { userId: id });
      await em.nativeDelete(UserTotp, { userId: id });
      return { enabled: false as const };
    },
  );
}

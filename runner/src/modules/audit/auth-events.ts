import type { FastifyInstance, FastifyRequest } from 'fastify';
import { RefreshToken } from '../../db/entities/identity';
import { readVerificationToken } from '../auth/email-verification';
import { readResetToken } from '../auth/password-reset';
import { findUserByEmail } from '../auth/repository';
import { sha256, verifyAccessToken } from '../auth/tokens';
import { answerId } from './answer-id';
import type { AuditFields } from './recorder';

type Body = Record<string, unknown> | undefined;
interface Outcome {
  action: string;
  /** The account concerned, when it can be told without revealing anything to the caller. */
  userId: string | null;
  details?: Record<string, unknown>;
}
type Rule = (ctx: {
  app: FastifyInstance;
  request: FastifyRequest;
  status: number;
  body: Body;
  payload: unknown;
}) => Promise<Outcome | null>;

const str = (body: Body, field: string) =>
  typeof body?.[field] === 'string' ? (body[field] as string) : null;

async function userIdOfEmail(app: FastifyInstance, email: string | null) {
  return email ? ((await findUserByEmail(app.orm.em.fork(), email))?.id ?? null) : null;
}

/** The user of the access token in a token answer (login, refresh). */
async function userIdOfTokens(app: FastifyInstance, payload: unknown) {
  if (typeof payload !== 'string') return null;
  try {
    const { accessToken } = JSON.parse(payload) as { accessToken?: unknown };
    if (typeof accessToken !== 'string') return null;
    return (await verifyAccessToken(app.runnerConfig, accessToken))?.userId ?? null;
  } catch {
    return null;
  }
}

const signedIn = (request: FastifyRequest) =>
  request.principal?.kind === 'user' ? request.principal.userId : null;

/** Account and sign-in events, by route: recorded on failure too (a failed sign-in is the point). */
const RULES: Record<string, Rule> = {
  'POST /v1/auth/login': async ({ app, status, body, payload }) => {
    const email = str(body, 'email');
    if (status === 200)
      return { action: 'auth.login_succeeded', userId: await userIdOfTokens(app, payload) };
    const action =
      status === 401 ? 'auth.login_failed' : status === 429 ? 'auth.login_locked' : null;
    return action ? { action, userId: await userIdOfEmail(app, email), details: { email } } : null;
  },
  // OpenID Connect: the sign-in completes when the client redeems its one-time code.
  'POST /v1/auth/oidc/exchange': async ({ app, status, payload }) =>
    status === 200
      ? {
          action: 'auth.login_succeeded',
          userId: await userIdOfTokens(app, payload),
          details: { method: 'oidc' },
        }
      : status === 400 || status === 401
        ? { action: 'auth.login_failed', userId: null, details: { method: 'oidc' } }
        : null,
  'POST /v1/auth/register': async ({ status, payload }) =>
    status === 201 ? { action: 'auth.registered', userId: answerId(payload) } : null,
  'POST /v1/auth/verify-email': async ({ app, status, body }) => {
    if (status !== 200) return null;
    const claims = await readVerificationToken(app.runnerConfig, str(body, 'token') ?? '');
    return { action: 'auth.email_verified', userId: claims?.userId ?? null };
  },
  'POST /v1/auth/password/forgot': async ({ app, status, body }) =>
    status === 202
      ? {
          action: 'auth.password_reset_requested',
          userId: await userIdOfEmail(app, str(body, 'email')),
          details: { email: str(body, 'email') },
        }
      : null,
  'POST /v1/auth/password/reset': async ({ app, status, body }) => {
    const claims = await readResetToken(app.runnerConfig, str(body, 'token') ?? '');
    if (status === 200) return { action: 'auth.password_reset', userId: claims?.userId ?? null };
    return status === 400 && body
      ? { action: 'auth.password_reset_failed', userId: claims?.userId ?? null }
      : null;
  },
  'POST /v1/auth/refresh': async ({ app, status, body, payload }) => {
    if (status === 200)
      return { action: 'auth.token_refreshed', userId: await userIdOfTokens(app, payload) };
    if (status !== 401) return null;
    // A token that was already rotated came back: it leaked (auth/repository.ts revokes its family).
    const token = await app.orm.em
      .fork()
      .findOne(RefreshToken, { hash: sha256(str(body, 'refreshToken') ?? '') });
    return token?.usedAt
      ? {
          action: 'auth.refresh_reuse_detected',
          userId: token.userId,
          details: { familyId: token.familyId },
        }
      : null;
  },
  'POST /v1/auth/logout': async ({ app, status, body }) => {
    if (status !== 204) return null;
    const token = await app.orm.em
      .fork()
      .findOne(RefreshToken, { hash: sha256(str(body, 'refreshToken') ?? '') });
    return token ? { action: 'auth.logout', userId: token.userId } : null;
  },
  'POST /v1/auth/logout-all': async ({ request, status }) =>
    status === 204 ? { action: 'auth.logout_all', userId: signedIn(request) } : null,
  'POST /v1/auth/2fa/enrol': async ({ request, status }) =>
    status === 201 ? { action: 'auth.2fa_enrolment_started', userId: signedIn(request) } : null,
  'POST /v1/auth/2fa/confirm': async ({ request, status }) =>
    status === 200
      ? { action: 'auth.2fa_enabled', userId: signedIn(request) }
      : status === 400 || status === 429
        ? { action: 'auth.2fa_code_rejected', userId: signedIn(request), details: { status } }
        : null,
  'POST /v1/auth/2fa/disable': async ({ request, status }) =>
    status === 200
      ? { action: 'auth.2fa_disabled', userId: signedIn(request) }
      : status === 401 || status === 429
        ? { action: 'auth.2fa_code_rejected', userId: signedIn(request), details: { status } }
        : null,
};

/**
 * The account event for an auth route (`undefined`: not an auth route, the generic rule
 * applies; `null`: nothing to record). The user is the actor and the target; these events
 * belong to no organization (platform admins read them: GET /v1/admin/audit-events).
 */
export async function authEventFor(
  app: FastifyInstance,
  request: FastifyRequest,
  status: number,
  payload: unknown,
): Promise<AuditFields | null | undefined> {
  const rule = RULES[`${request.method} ${request.routeOptions.url}`];
  if (!rule) return undefined;
  const outcome = await rule({ app, request, status, body: request.body as Body, payload });
  if (!outcome) return null;
  return {
    organizationId: null,
    actorUserId: outcome.userId,
    action: outcome.action,
    targetType: 'user',
    targetId: outcome.userId,
    details: outcome.details ?? null,
  };
}

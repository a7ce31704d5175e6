import { z } from 'zod';
import type {
  TwoFactorDisabled as Disabled,
  TwoFactorEnabled as Enabled,
  TwoFactorEnrolment as Enrolment,
  TwoFactorStatus as Status,
} from '../../../shared/src/contracts/runner-api';
import {
  TwoFactorDisabled,
  TwoFactorEnabled,
  TwoFactorEnrolment,
  TwoFactorStatus,
} from '../../../shared/src/contracts/runner-api';
import type { OidcSignIn, OidcStarted, OidcStartInput } from './oidc-sign-in';
import type { RunnerRequest } from './runner-client';
import { RunnerClient } from './runner-client';
import type { RunnerConnectionService } from './runner-connection-service';
import { RunnerError } from './runner-error';

const ProfileId = z.string().min(1);

export const TwoFactorProfile = z.strictObject({ profileId: ProfileId });

export const PasswordEnrolInput = z.strictObject({
  profileId: ProfileId,
  password: z.string().min(1, 'enter your password').max(200),
});
export type PasswordEnrolInput = z.infer<typeof PasswordEnrolInput>;

export const StepUpEnrolInput = z.strictObject({ flowId: z.string().uuid() });

export const TwoFactorCodeInput = z.strictObject({
  profileId: ProfileId,
  /** A code from the authenticator app; disabling also takes a recovery code. */
  code: z.string().trim().min(6, 'a code has at least 6 characters').max(20),
});
export type TwoFactorCodeInput = z.infer<typeof TwoFactorCodeInput>;

/** A 401 about the access token itself; any other 401 here refuses the password or a code. */
const TOKEN_REFUSAL = /access token|Authorization: Bearer/i;

/**
 * The signed-in user's two-factor authentication on a runner profile (TOTP, RFC 6238): status,
 * enrolment (re-authenticated by the password or by a step-up at the identity provider),
 * confirmation with a first code (which returns the recovery codes once) and disabling. The
 * secret and the recovery codes pass through to the window that shows them and are neither kept
 * nor logged here.
 */
export class TwoFactorService {
  constructor(
    private readonly connections: RunnerConnectionService,
    private readonly oidc: OidcSignIn,
  ) {}

  status(profileId: string): Promise<Status> {
    return this.send(profileId, { method: 'GET', path: '/v1/auth/2fa' }, TwoFactorStatus);
  }

  enrolWithPassword(input: PasswordEnrolInput): Promise<Enrolment> {
    return this.send(
      input.profileId,
      { method: 'POST', path: '/v1/auth/2fa/enrol', body: { password: input.password } },
      TwoFactorEnrolment,
    );
  }

  /** For an account without a password: sign in at the provider again (system browser). */
  startStepUp(input: OidcStartInput): Promise<OidcStarted> {
    return this.oidc.startStepUp(input);
  }

  /** Waits for the step-up started by `startStepUp`, then enrols with its one-time code. */
  async enrolWithStepUp(flowId: string): Promise<Enrolment> {
    const proof = await this.oidc.stepUpProof(flowId);
    return this.send(
      proof.profileId,
      {
        method: 'POST',
        path: '/v1/auth/2fa/enrol',
        body: { oidcCode: proof.oidcCode, codeVerifier: proof.codeVerifier },
      },
      TwoFactorEnrolment,
    );
  }

  confirm(input: TwoFactorCodeInput): Promise<Enabled> {
    return this.send(
      input.profileId,
      { method: 'POST', path: '/v1/auth/2fa/confirm', body: { code: input.code } },
      TwoFactorEnabled,
    );
  }

  disable(input: TwoFactorCodeInput): Promise<Disabled> {
    return this.send(
      input.profileId,
      { method: 'POST', path: '/v1/auth/2fa/disable', body: { code: input.code } },
      TwoFactorDisabled,
    );
  }

  /**
   * One signed-in request outside any organization (2FA is the user's, and an admin without it
   * can act in none). The session renews the access token and retries on a 401, which is right
   * for an expired token but not for a refused password or code: sent twice, a wrong code would
   * count twice toward the account's lockout. Those 401s pass through the session untouched.
   */
  private async send<T extends z.ZodType>(
    profileId: string,
    request: Omit<RunnerRequest, 'accessToken' | 'organizationId'>,
    schema: T,
  ): Promise<z.infer<T>> {
    const profile = this.connections.require(profileId);
    const client = new RunnerClient(profile.baseUrl);
    try {
      return await this.connections.sessions.call(client, profile.id, async (accessToken) => {
        try {
          return await client.send({ ...request, accessToken }, schema);
        } catch (error) {
          if (isCredentialRefusal(error)) throw new CredentialRefused(error);
          throw error;
        }
      });
    } catch (error) {
      throw error instanceof CredentialRefused ? error.refusal : error;
    }
  }
}

function isCredentialRefusal(error: unknown): error is RunnerError {
  return (
    error instanceof RunnerError &&
    error.kind === 'unauthorized' &&
    !TOKEN_REFUSAL.test(error.message)
  );
}

/** Carries a refused password or code past the session's renew-and-retry. */
class CredentialRefused extends Error {
  constructor(readonly refusal: RunnerError) {
    super(refusal.message);
  }
}

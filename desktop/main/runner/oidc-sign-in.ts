import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { OidcProvider } from '../../../shared/src/contracts/runner-api';
import {
  OidcProviderList,
  OidcReauthStart,
  Tokens,
} from '../../../shared/src/contracts/runner-api';
import type { LoopbackRedirect } from './loopback-redirect';
import { listenForRedirect } from './loopback-redirect';
import { RunnerClient } from './runner-client';
import type { RunnerConnectionService, SignInResult } from './runner-connection-service';
import { asksForSecondFactor } from './runner-connection-service';
import { RunnerError } from './runner-error';

/**
 * The path of the loopback redirect URI. A runner that offers OIDC sign-in to the desktop app
 * lists `http://127.0.0.1/oidc/callback` on MAESTRO_OIDC_REDIRECT_URIS (any port, RFC 8252).
 */
export const OIDC_REDIRECT_PATH = '/oidc/callback';

/** How long the person has to sign in at the provider. */
export const OIDC_TIMEOUT_MS = 5 * 60_000;

const FlowId = z.string().uuid();

export const OidcStartInput = z.strictObject({
  profileId: z.string().min(1),
  providerId: z.string().min(1).max(64),
});
export type OidcStartInput = z.infer<typeof OidcStartInput>;

export const OidcFinishInput = z.strictObject({
  flowId: FlowId,
  /** A code from the authenticator app (or a recovery code), when the runner asked for one. */
  totp: z.string().trim().min(6).max(64).optional(),
});
export type OidcFinishInput = z.infer<typeof OidcFinishInput>;

export const OidcFlowRef = z.strictObject({ flowId: FlowId });

export interface OidcStarted {
  flowId: string;
  /** The provider's sign-in page, for the renderer to open when the app could not. */
  authorizationUrl: string;
  /** True when the main process opened it in the system browser itself (Electron). */
  openedInBrowser: boolean;
}

/**
 * What a step-up at the provider gives the 2FA enrolment (`POST /v1/auth/2fa/enrol`): its
 * one-time code and the PKCE verifier of its challenge.
 */
export interface StepUpProof {
  profileId: string;
  oidcCode: string;
  codeVerifier: string;
}

interface Flow {
  profileId: string;
  /** A sign-in ends in tokens; a step-up (a signed-in user re-authenticating) in a StepUpProof. */
  purpose: 'sign-in' | 'step-up';
  verifier: string;
  redirect: LoopbackRedirect;
  exchanging: boolean;
  /** Drops a flow whose code was received but never exchanged (the runner's code lives 5 min). */
  expiry?: NodeJS.Timeout;
}

/**
 * Sign-in with a runner's OpenID Connect provider as a native app (RFC 8252): a one-shot
 * listener on a loopback port, PKCE (S256) and a random state; the runner's start route gives
 * the provider's authorization URL, which opens in the system browser; the runner's callback
 * sends a one-time code to the listener; the code (with the PKCE verifier and, when asked, a TOTP
 * code) becomes tokens that are kept exactly as a password sign-in's. Neither the code nor the
 * tokens are logged or leave the main process.
 */
export class OidcSignIn {
  private readonly flows = new Map<string, Flow>();
  private readonly timeoutMs: number;

  constructor(
    private readonly connections: RunnerConnectionService,
    private readonly options: {
      /** Opens a URL in the system browser (Electron's shell.openExternal); none in the browser host. */
      openExternal?: (url: string) => Promise<void>;
      timeoutMs?: number;
    } = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? OIDC_TIMEOUT_MS;
  }

  /** The providers the profile's runner offers; none from a runner without OIDC sign-in. */
  async providers(profileId: string): Promise<OidcProvider[]> {
    const client = new RunnerClient(this.connections.require(profileId).baseUrl);
    try {
      return (
        await client.send({ method: 'GET', path: '/v1/auth/oidc/providers' }, OidcProviderList)
      ).items;
    } catch (error) {
      if (error instanceof RunnerError && error.kind === 'not-found') return [];
      throw error;
    }
  }

  async start(input: OidcStartInput): Promise<OidcStarted> {
    const profile = this.connections.require(input.profileId);
    await this.connections.requireKeychain();
    // The runner records the sign-in and answers with the provider's URL (302): asking here
    // rather than in the browser shows its refusals (redirect URI not allowed, provider down)
    // in the app instead of as JSON in a browser tab.
    return this.open(profile.id, 'sign-in', (redirect) =>
      new RunnerClient(profile.baseUrl).redirectTarget({
        path: `/v1/auth/oidc/${encodeURIComponent(input.providerId)}/start`,
        query: {
          redirect_uri: redirect.redirectUri,
          state: redirect.state,
          code_challenge: redirect.codeChallenge,
          code_challenge_method: 'S256',
        },
      }),
    );
  }

  /**
   * Re-authentication of the signed-in user at the provider (prompt=login), for a 2FA enrolment
   * of an account without a password; `stepUpProof` waits for its answer.
   */
  async startStepUp(input: OidcStartInput): Promise<OidcStarted> {
    const profile = this.connections.require(input.profileId);
    return this.open(profile.id, 'step-up', async (redirect) => {
      const { authorizationUrl } = await this.connections.send(
        profile,
        null,
        {
          method: 'POST',
          path: `/v1/auth/oidc/${encodeURIComponent(input.providerId)}/reauth`,
          body: {
            redirectUri: redirect.redirectUri,
            state: redirect.state,
            codeChallenge: redirect.codeChallenge,
            codeChallengeMethod: 'S256',
          },
        },
        OidcReauthStart,
      );
      const url = new URL(authorizationUrl);
      // It is opened in the system browser: nothing but a web page.
      if (url.protocol !== 'https:' && url.protocol !== 'http:')
        throw new RunnerError(
          'server',
          'The runner sent a re-authentication URL that is not a web address.',
        );
      return url;
    });
  }

  /** A loopback listener, PKCE and a state; the provider's URL from `authorizationUrlFor`. */
  private async open(
    profileId: string,
    purpose: Flow['purpose'],
    authorizationUrlFor: (redirect: {
      redirectUri: string;
      state: string;
      codeChallenge: string;
    }) => Promise<URL>,
  ): Promise<OidcStarted> {
    const verifier = randomBytes(32).toString('base64url');
    const state = randomBytes(32).toString('base64url');
    const redirect = await listenForRedirect({
      path: OIDC_REDIRECT_PATH,
      state,
      timeoutMs: this.timeoutMs,
      purpose,
    });
    const flowId = randomUUID();
    let authorizationUrl: URL;
    try {
      authorizationUrl = await authorizationUrlFor({
        redirectUri: redirect.redirectUri,
        state,
        codeChallenge: createHash('sha256').update(verifier).digest('base64url'),
      });
    } catch (error) {
      redirect.cancel();
      throw error;
    }
    const flow: Flow = { profileId, purpose, verifier, redirect, exchanging: false };
    this.flows.set(flowId, flow);
    redirect.result.then(
      () => {
        flow.expiry = setTimeout(() => this.drop(flowId), this.timeoutMs);
        flow.expiry.unref();
      },
      () => this.drop(flowId),
    );
    let openedInBrowser = false;
    if (this.options.openExternal) {
      try {
        await this.options.openExternal(authorizationUrl.href);
        openedInBrowser = true;
      } catch {
        // No browser could be started: the renderer shows the link instead.
      }
    }
    return { flowId, authorizationUrl: authorizationUrl.href, openedInBrowser };
  }

  /**
   * Waits for the provider's answer, then exchanges its one-time code. `totp-required` keeps the
   * flow: call again with the person's code (the runner keeps the one-time code valid meanwhile).
   */
  async finish(input: OidcFinishInput): Promise<SignInResult> {
    const flow = this.claim(input.flowId, 'sign-in');
    try {
      const code = await this.codeOf(input.flowId, flow);
      const profile = this.connections.require(flow.profileId);
      let tokens: Tokens;
      try {
        tokens = await new RunnerClient(profile.baseUrl).send(
          {
            method: 'POST',
            path: '/v1/auth/oidc/exchange',
            body: { code, codeVerifier: flow.verifier, totp: input.totp },
          },
          Tokens,
        );
      } catch (error) {
        if (!input.totp && asksForSecondFactor(error)) return { status: 'totp-required' };
        // Any other refusal (a wrong TOTP code included) ends the sign-in on the runner too.
        this.drop(input.flowId);
        throw error;
      }
      this.drop(input.flowId);
      return await this.connections.completeSignIn(profile.id, tokens);
    } finally {
      flow.exchanging = false;
    }
  }

  /**
   * Waits for the provider's answer to a step-up and hands over its one-time code with the PKCE
   * verifier; the flow ends here (the enrolment spends the code, right or wrong).
   */
  async stepUpProof(flowId: string): Promise<StepUpProof> {
    const flow = this.claim(flowId, 'step-up');
    try {
      const code = await this.codeOf(flowId, flow);
      this.drop(flowId);
      return { profileId: flow.profileId, oidcCode: code, codeVerifier: flow.verifier };
    } finally {
      flow.exchanging = false;
    }
  }

  private claim(flowId: string, purpose: Flow['purpose']): Flow {
    const flow = this.flows.get(flowId);
    const what = purpose === 'sign-in' ? 'sign-in' : 're-authentication';
    if (!flow || flow.purpose !== purpose)
      throw new RunnerError(
        'not-found',
        `This ${what} is no longer in progress (finished, canceled or timed out): start it again.`,
      );
    if (flow.exchanging) throw new RunnerError('conflict', `This ${what} is already finishing.`);
    flow.exchanging = true;
    return flow;
  }

  /** The provider's one-time code; an error redirect ends the flow with the runner's words. */
  private async codeOf(flowId: string, flow: Flow): Promise<string> {
    const answer = await flow.redirect.result;
    if ('error' in answer) {
      this.drop(flowId);
      throw new RunnerError(
        answer.error === 'temporarily_unavailable' ? 'unreachable' : 'unauthorized',
        `The ${flow.purpose === 'sign-in' ? 'sign-in' : 're-authentication'} did not succeed: ${answer.error_description ?? answer.error}.`,
      );
    }
    return answer.code;
  }

  /** Stops waiting for the provider; the listener closes. */
  cancel(flowId: string): { canceled: boolean } {
    const flow = this.flows.get(flowId);
    if (!flow) return { canceled: false };
    this.drop(flowId);
    return { canceled: true };
  }

  /** Cancels every sign-in in flight (the app is closing). */
  close(): void {
    for (const flowId of [...this.flows.keys()]) this.drop(flowId);
  }

  private drop(flowId: string): void {
    const flow = this.flows.get(flowId);
    if (!flow) return;
    this.flows.delete(flowId);
    clearTimeout(flow.expiry);
    flow.redirect.cancel();
  }
}

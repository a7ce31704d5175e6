import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { OidcProvider } from '../../../shared/src/contracts/runner-api';
import { OidcProviderList, Tokens } from '../../../shared/src/contracts/runner-api';
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

interface Flow {
  profileId: string;
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
    const verifier = randomBytes(32).toString('base64url');
    const state = randomBytes(32).toString('base64url');
    const redirect = await listenForRedirect({
      path: OIDC_REDIRECT_PATH,
      state,
      timeoutMs: this.timeoutMs,
    });
    const flowId = randomUUID();
    let authorizationUrl: URL;
    try {
      // The runner records the sign-in and answers with the provider's URL (302): asking here
      // rather than in the browser shows its refusals (redirect URI not allowed, provider down)
      // in the app instead of as JSON in a browser tab.
      authorizationUrl = await new RunnerClient(profile.baseUrl).redirectTarget({
        path: `/v1/auth/oidc/${encodeURIComponent(input.providerId)}/start`,
        query: {
          redirect_uri: redirect.redirectUri,
          state,
          code_challenge: createHash('sha256').update(verifier).digest('base64url'),
          code_challenge_method: 'S256',
        },
      });
    } catch (error) {
      redirect.cancel();
      throw error;
    }
    const flow: Flow = { profileId: profile.id, verifier, redirect, exchanging: false };
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
    const flow = this.flows.get(input.flowId);
    if (!flow)
      throw new RunnerError(
        'not-found',
        'This sign-in is no longer in progress (finished, canceled or timed out): start it again.',
      );
    if (flow.exchanging) throw new RunnerError('conflict', 'This sign-in is already finishing.');
    flow.exchanging = true;
    try {
      const answer = await flow.redirect.result;
      if ('error' in answer) {
        this.drop(input.flowId);
        throw new RunnerError(
          answer.error === 'temporarily_unavailable' ? 'unreachable' : 'unauthorized',
          `The sign-in did not succeed: ${answer.error_description ?? answer.error}.`,
        );
      }
      const profile = this.connections.require(flow.profileId);
      let tokens: Tokens;
      try {
        tokens = await new RunnerClient(profile.baseUrl).send(
          {
            method: 'POST',
            path: '/v1/auth/oidc/exchange',
            body: { code: answer.code, codeVerifier: flow.verifier, totp: input.totp },
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

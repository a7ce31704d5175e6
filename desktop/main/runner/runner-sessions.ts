import { z } from 'zod';
import { Tokens } from '../../../shared/src/contracts/runner-api';
import type { Keychain } from '../keychain/keychain';
import type { RunnerClient } from './runner-client';
import { RunnerError } from './runner-error';

/** Renew an access token this long before it expires, so a call never starts with a dying one. */
const EXPIRY_MARGIN_MS = 30_000;

interface AccessToken {
  token: string;
  expiresAt: number;
}

/** The keychain account that holds a profile's refresh token. */
export const refreshAccount = (profileId: string) => `runner:${profileId}`;

/**
 * Runner sessions of the main process. The refresh token lives only in the OS
 * keychain; the access token only in this object's memory. Refreshes are
 * single-flight per profile: the runner rotates refresh tokens and treats the
 * reuse of a rotated one as theft (the whole family is revoked), so two
 * concurrent refreshes would sign the user out.
 */
export class RunnerSessions {
  private readonly access = new Map<string, AccessToken>();
  private readonly refreshing = new Map<string, Promise<string>>();

  constructor(
    private readonly keychain: Keychain,
    private readonly now: () => number = Date.now,
  ) {}

  /** Keeps the tokens of a new sign-in: the refresh token goes to the keychain first. */
  async begin(profileId: string, tokens: Tokens): Promise<void> {
    await this.keychain.setSecret(refreshAccount(profileId), tokens.refreshToken);
    this.remember(profileId, tokens);
  }

  async isSignedIn(profileId: string): Promise<boolean> {
    if (this.access.has(profileId)) return true;
    const status = await this.keychain.status();
    if (!status.keychainAvailable) return false;
    return (await this.keychain.getSecret(refreshAccount(profileId))) !== null;
  }

  /** Calls the runner with a valid access token; on a 401 renews it once and calls again. */
  async call<T>(
    client: RunnerClient,
    profileId: string,
    send: (accessToken: string) => Promise<T>,
  ): Promise<T> {
    const token = await this.accessToken(client, profileId);
    try {
      return await send(token);
    } catch (error) {
      if (!(error instanceof RunnerError) || error.kind !== 'unauthorized') throw error;
      // Revoked or expired early (logout-all, a restarted runner with a new key): renew once.
      if (this.access.get(profileId)?.token === token) this.access.delete(profileId);
      return send(await this.accessToken(client, profileId));
    }
  }

  /** Ends the session: revokes the refresh token on the runner (best effort), then forgets both tokens. */
  async end(client: RunnerClient, profileId: string): Promise<void> {
    this.access.delete(profileId);
    const status = await this.keychain.status();
    if (!status.keychainAvailable) return;
    const refreshToken = await this.keychain.getSecret(refreshAccount(profileId));
    if (refreshToken) {
      // Signing out works offline too: the local tokens go whatever the runner answers.
      await client
        .send({ method: 'POST', path: '/v1/auth/logout', body: { refreshToken } }, z.null())
        .catch(() => undefined);
      await this.keychain.deleteSecret(refreshAccount(profileId));
    }
  }

  private async accessToken(client: RunnerClient, profileId: string): Promise<string> {
    const current = this.access.get(profileId);
    if (current && current.expiresAt - EXPIRY_MARGIN_MS > this.now()) return current.token;
    let pending = this.refreshing.get(profileId);
    if (!pending) {
      pending = this.refresh(client, profileId).finally(() => this.refreshing.delete(profileId));
      this.refreshing.set(profileId, pending);
    }
    return pending;
  }

  private async refresh(client: RunnerClient, profileId: string): Promise<string> {
    const status = await this.keychain.status();
    if (!status.keychainAvailable)
      throw new RunnerError(
        'unauthorized',
        `Not signed in: no OS keychain holds the runner session. ${status.reason ?? ''}`.trim(),
      );
    const refreshToken = await this.keychain.getSecret(refreshAccount(profileId));
    if (!refreshToken)
      throw new RunnerError('unauthorized', 'Not signed in to this runner: sign in first.');
    let tokens: Tokens;
    try {
      tokens = await client.send(
        { method: 'POST', path: '/v1/auth/refresh', body: { refreshToken } },
        Tokens,
      );
    } catch (error) {
      if (error instanceof RunnerError && error.kind === 'unauthorized') {
        await this.keychain.deleteSecret(refreshAccount(profileId));
        throw new RunnerError(
          'unauthorized',
          'Your session on this runner has ended (expired, or signed out elsewhere): sign in again.',
          401,
        );
      }
      throw error;
    }
    await this.keychain.setSecret(refreshAccount(profileId), tokens.refreshToken);
    return this.remember(profileId, tokens);
  }

  private remember(profileId: string, tokens: Tokens): string {
    this.access.set(profileId, {
      token: tokens.accessToken,
      expiresAt: this.now() + tokens.expiresIn * 1000,
    });
    return tokens.accessToken;
  }
}

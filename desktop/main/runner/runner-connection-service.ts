import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Keychain } from '../keychain/keychain';
import type { RunnerRequest } from './runner-client';
import { normaliseBaseUrl, RunnerClient } from './runner-client';
import { RunnerError } from './runner-error';
import type { RunnerProfile, RunnerProfileRepository } from './runner-profile.repository';
import type { OrganizationWithRole } from '../../../shared/src/contracts/runner-api';
import { Me, OrganizationList, Tokens } from '../../../shared/src/contracts/runner-api';
import { RunnerSessions } from './runner-sessions';

export const NewRunnerProfile = z.strictObject({
  name: z.string().trim().min(1, 'a name is required').max(100),
  baseUrl: z.string().trim().url('a URL such as https://runner.example.com'),
});
export type NewRunnerProfile = z.infer<typeof NewRunnerProfile>;

export const SignInInput = z.strictObject({
  profileId: z.string().min(1),
  email: z.string().trim().min(3).max(320),
  password: z.string().min(1).max(1000),
  /** A code from the authenticator app (or a recovery code), when the runner asked for one. */
  totp: z.string().trim().min(6).max(64).optional(),
});
export type SignInInput = z.infer<typeof SignInInput>;

export interface ProfileView extends RunnerProfile {
  signedIn: boolean;
}

export type SignInResult =
  | { status: 'signed-in'; profile: ProfileView; organizations: OrganizationWithRole[] }
  | { status: 'totp-required' };

/**
 * The runner's only sign of a second factor: a 401 that names it, to a password login or an
 * OIDC exchange sent without a code.
 */
export function asksForSecondFactor(error: unknown): boolean {
  return (
    error instanceof RunnerError &&
    error.kind === 'unauthorized' &&
    /two-factor/i.test(error.message)
  );
}

/** What the other runner services act through: a profile's client, its organization and its session. */
export interface RunnerContext {
  profile: RunnerProfile;
  organizationId: string;
  /** One request in the organization, signed in (renewing the access token when needed). */
  send<T extends z.ZodType>(
    request: Omit<RunnerRequest, 'accessToken' | 'organizationId'>,
    schema: T,
  ): Promise<z.infer<T>>;
}

/**
 * Runner profiles and sign-in. HTTP to the runner happens here, in the main
 * process; the renderer gets profiles, never a token.
 */
export class RunnerConnectionService {
  readonly sessions: RunnerSessions;

  constructor(
    private readonly profiles: RunnerProfileRepository,
    private readonly keychain: Keychain,
    options: { now?: () => number } = {},
  ) {
    this.sessions = new RunnerSessions(keychain, options.now);
  }

  async list(): Promise<ProfileView[]> {
    return Promise.all(this.profiles.list().map((p) => this.view(p)));
  }

  async create(input: NewRunnerProfile): Promise<ProfileView> {
    const profile: RunnerProfile = {
      id: randomUUID(),
      name: input.name,
      baseUrl: normaliseBaseUrl(input.baseUrl),
      email: null,
      organizationId: null,
      organizationName: null,
      active: this.profiles.list().length === 0,
      createdAt: new Date().toISOString(),
    };
    this.profiles.insert(profile);
    return this.view(profile);
  }

  async remove(id: string): Promise<void> {
    const profile = this.require(id);
    await this.sessions.end(new RunnerClient(profile.baseUrl), id);
    this.profiles.delete(id);
  }

  async setActive(id: string): Promise<ProfileView> {
    this.require(id);
    this.profiles.setActive(id);
    return this.view(this.require(id));
  }

  async signIn(input: SignInInput): Promise<SignInResult> {
    const profile = this.require(input.profileId);
    await this.requireKeychain();
    const client = new RunnerClient(profile.baseUrl);
    let tokens: Tokens;
    try {
      tokens = await client.send(
        {
          method: 'POST',
          path: '/v1/auth/login',
          body: { email: input.email, password: input.password, totp: input.totp },
        },
        Tokens,
      );
    } catch (error) {
      if (!input.totp && asksForSecondFactor(error)) return { status: 'totp-required' };
      throw error;
    }
    return this.completeSignIn(profile.id, tokens);
  }

  /** Sign-in cannot start without a keychain: the session would have nowhere to live. */
  async requireKeychain(): Promise<void> {
    const status = await this.keychain.status();
    if (!status.keychainAvailable)
      throw new RunnerError(
        'invalid',
        `No OS keychain is available, so Maestro cannot keep the runner session (it never stores it anywhere else). ${status.reason ?? ''}`.trim(),
      );
  }

  /**
   * What every sign-in ends with, whichever way the tokens came (password or OIDC): the session
   * kept, the profile's email and organization brought up to date.
   */
  async completeSignIn(profileId: string, tokens: Tokens): Promise<SignInResult> {
    const profile = this.require(profileId);
    const client = new RunnerClient(profile.baseUrl);
    await this.sessions.begin(profile.id, tokens);
    const me = await client.send(
      { method: 'GET', path: '/v1/users/me', accessToken: tokens.accessToken },
      Me,
    );
    const organizations = await this.organizations(profile.id);
    const kept = organizations.find((o) => o.id === profile.organizationId);
    const chosen = kept ?? (organizations.length === 1 ? organizations[0] : undefined);
    this.profiles.update(profile.id, {
      email: me.email,
      organizationId: chosen?.id ?? null,
      organizationName: chosen?.name ?? null,
    });
    return {
      status: 'signed-in',
      profile: await this.view(this.require(profile.id)),
      organizations,
    };
  }

  async signOut(id: string): Promise<ProfileView> {
    const profile = this.require(id);
    await this.sessions.end(new RunnerClient(profile.baseUrl), id);
    return this.view(profile);
  }

  /** The signed-in user's organizations on this runner, with their role in each. */
  async organizations(profileId: string): Promise<OrganizationWithRole[]> {
    const list = await this.send(
      this.require(profileId),
      null,
      { method: 'GET', path: '/v1/organizations' },
      OrganizationList,
    );
    return list.items;
  }

  async selectOrganization(profileId: string, organizationId: string): Promise<ProfileView> {
    const organization = (await this.organizations(profileId)).find((o) => o.id === organizationId);
    if (!organization)
      throw new RunnerError(
        'not-found',
        'You are not a member of that organization on this runner.',
      );
    this.profiles.update(profileId, {
      organizationId: organization.id,
      organizationName: organization.name,
    });
    return this.view(this.require(profileId));
  }

  /** The profile publishing and the dashboards use. */
  activeProfile(): RunnerProfile {
    const profile = this.profiles.list().find((p) => p.active);
    if (!profile)
      throw new RunnerError('not-found', 'No runner is set up yet: add one on the Runner page.');
    return profile;
  }

  /**
   * The active profile (or the one named) acting in its chosen organization
   * (or the one named: admin screens act in any organization of the user).
   */
  context(profileId?: string, organizationId?: string): RunnerContext {
    const profile = profileId ? this.require(profileId) : this.activeProfile();
    const orgId = organizationId ?? profile.organizationId;
    if (!orgId)
      throw new RunnerError(
        'invalid',
        `Choose an organization on ${profile.name} first (Runner page).`,
      );
    return {
      profile,
      organizationId: orgId,
      send: (request, schema) => this.send(profile, orgId, request, schema),
    };
  }

  /** One signed-in request as the user, in an organization or (null) outside any. */
  send<T extends z.ZodType>(
    profile: RunnerProfile,
    organizationId: string | null,
    request: Omit<RunnerRequest, 'accessToken' | 'organizationId'>,
    schema: T,
  ): Promise<z.infer<T>> {
    const client = new RunnerClient(profile.baseUrl);
    return this.sessions.call(client, profile.id, (accessToken) =>
      client.send(
        { ...request, accessToken, ...(organizationId ? { organizationId } : {}) },
        schema,
      ),
    );
  }

  require(id: string): RunnerProfile {
    const profile = this.profiles.find(id);
    if (!profile) throw new RunnerError('not-found', `No runner profile with id ${id}.`);
    return profile;
  }

  private async view(profile: RunnerProfile): Promise<ProfileView> {
    return { ...profile, signedIn: await this.sessions.isSignedIn(profile.id) };
  }
}

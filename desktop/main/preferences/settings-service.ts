import { TRPCError } from '@trpc/server';
import type { Keychain } from '../keychain/keychain';
import type { Preferences } from './preferences';
import type { Settings, SettingsUpdate } from './settings';

/** Keychain account of a secret env value; connection accounts are UUIDs, so they never collide. */
export const envAccount = (key: string): string => `env:${key}`;

/**
 * The user's settings. Env values whose keys are marked secret are
 * credentials like any other: they live in the OS keychain, and the
 * preferences file keeps only their names. Readers get the merged env.
 */
export class SettingsService {
  constructor(
    private readonly preferences: Preferences,
    private readonly keychain: Keychain,
  ) {}

  async get(): Promise<Settings> {
    const stored = this.preferences.get();
    const env = { ...stored.env };
    if (stored.secretEnvKeys.length > 0 && (await this.keychain.status()).keychainAvailable) {
      for (const key of stored.secretEnvKeys) {
        const value = await this.keychain.getSecret(envAccount(key));
        if (value !== null) env[key] = value;
      }
    }
    return { ...stored, env };
  }

  async update(partial: SettingsUpdate): Promise<Settings> {
    const { env, secretEnvKeys, ...rest } = partial;
    if (env !== undefined || secretEnvKeys !== undefined) await this.updateEnv(env, secretEnvKeys);
    this.preferences.update(rest);
    return this.get();
  }

  private async updateEnv(
    nextEnv?: Record<string, string>,
    nextSecretKeys?: string[],
  ): Promise<void> {
    const current = await this.get();
    const env = nextEnv ?? current.env;
    const secretKeys = [...new Set(nextSecretKeys ?? current.secretEnvKeys)];
    const secret = new Set(secretKeys);
    const secretEntries = Object.entries(env).filter(([key]) => secret.has(key));
    const status = await this.keychain.status();
    if (secretEntries.length > 0 && !status.keychainAvailable) {
      throw new TRPCError({
        code: 'PRECONDITION_FAILED',
        message:
          `No OS keychain is available, so Maestro cannot store the secret value of ${secretEntries.map(([key]) => key).join(', ')}; ` +
          `it never writes secrets anywhere else. Unmark them as secret or start a keychain. ${status.reason ?? ''}`.trim(),
      });
    }
    for (const [key, value] of secretEntries) await this.keychain.setSecret(envAccount(key), value);
    if (status.keychainAvailable) {
      for (const key of current.secretEnvKeys) {
        if (!secret.has(key) || !(key in env)) await this.keychain.deleteSecret(envAccount(key));
      }
    }
    const plainEnv = Object.fromEntries(Object.entries(env).filter(([key]) => !secret.has(key)));
    this.preferences.update({ env: plainEnv, secretEnvKeys: secretKeys });
  }
}

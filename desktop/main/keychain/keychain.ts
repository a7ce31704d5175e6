import type * as KeytarModule from 'keytar';

/** Whether secrets can be stored, and if not, why (shown to the user as is). */
export interface KeychainStatus {
  keychainAvailable: boolean;
  reason?: string;
}

/** The OS keychain, the only place where Maestro keeps a secret. */
export interface Keychain {
  status(): Promise<KeychainStatus>;
  setSecret(account: string, value: string): Promise<void>;
  getSecret(account: string): Promise<string | null>;
  deleteSecret(account: string): Promise<boolean>;
}

type Keytar = typeof KeytarModule;

const PROBE_ACCOUNT = '__maestro_probe__';
const PROBE_TIMEOUT_MS = 3000;

export class KeychainUnavailableError extends Error {
  constructor(reason: string) {
    super(`No OS keychain is available, so Maestro will not store this secret anywhere. ${reason}`);
    this.name = 'KeychainUnavailableError';
  }
}

/**
 * The keychain through keytar (Secret Service on Linux, Keychain on macOS,
 * Credential Vault on Windows). Service `maestro`, account = connection id.
 * keytar is loaded lazily: a native module that fails to load must turn into
 * "no keychain", never a crash of the main process.
 */
export function createKeytarKeychain(options: { service?: string } = {}): Keychain {
  const service = options.service ?? 'maestro';
  let loaded: Promise<Keytar> | undefined;
  const keytar = (): Promise<Keytar> => {
    loaded ??= import('keytar').then(
      (module) => ((module as { default?: Keytar }).default ?? module) as Keytar,
    );
    return loaded;
  };

  const status = async (): Promise<KeychainStatus> => {
    try {
      const api = await keytar();
      await withTimeout(api.getPassword(service, PROBE_ACCOUNT), PROBE_TIMEOUT_MS);
      return { keychainAvailable: true };
    } catch (error) {
      return { keychainAvailable: false, reason: explain(error) };
    }
  };

  const requireAvailable = async (): Promise<Keytar> => {
    const current = await status();
    if (!current.keychainAvailable) throw new KeychainUnavailableError(current.reason ?? '');
    return keytar();
  };

  return {
    status,
    async setSecret(account, value) {
      await (await requireAvailable()).setPassword(service, account, value);
    },
    async getSecret(account) {
      return (await requireAvailable()).getPassword(service, account);
    },
    async deleteSecret(account) {
      return (await requireAvailable()).deletePassword(service, account);
    },
  };
}

function explain(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `The system keychain (Secret Service over D-Bus on Linux) did not answer: ${message}. Start a keyring such as gnome-keyring, then try again.`;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

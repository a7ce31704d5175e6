import { StepError } from '../../../shared/src/engine/step-error';
import type { ResolvedConnection, SecretResolver } from '../../../shared/src/engine/host';
import { assertNever } from '../../../shared/src/model/run-result';
import type { ConnectionRepository } from '../storage/connection.repository';
import type { Keychain } from './keychain';
import { StoredSecret } from './connection-secret';

/** What a connection adds to a request: bearer/oauth2 and basic as Authorization, apiKey as its named header. */
export function toResolvedConnection(stored: StoredSecret): ResolvedConnection {
  switch (stored.kind) {
    case 'bearer':
      return {
        headers: { authorization: `Bearer ${stored.secret.token}` },
        secrets: [stored.secret.token],
      };
    case 'oauth2': {
      const { accessToken, refreshToken } = stored.secret;
      return {
        headers: { authorization: `Bearer ${accessToken}` },
        secrets: refreshToken ? [accessToken, refreshToken] : [accessToken],
      };
    }
    case 'apiKey':
      return {
        headers: { [stored.secret.headerName]: stored.secret.value },
        secrets: [stored.secret.value],
      };
    case 'basic': {
      const { username, password } = stored.secret;
      const encoded = Buffer.from(`${username}:${password}`).toString('base64');
      // The encoded form is what travels, so it is redacted too; the password alone may appear echoed.
      return {
        headers: { authorization: `Basic ${encoded}` },
        secrets: [encoded, password].filter((value) => value.length > 0),
      };
    }
    default:
      return assertNever(stored);
  }
}

/** Resolves `auth: { connection }` for dry-runs from the SQLite reference and the keychain secret. */
export function createKeychainSecretResolver(
  connections: ConnectionRepository,
  keychain: Keychain,
): SecretResolver {
  return {
    async resolveConnection(connectionId) {
      const ref = connections.find(connectionId);
      if (!ref)
        throw new StepError(
          'VALIDATION',
          `connection "${connectionId}" does not exist on this computer`,
        );
      let raw: string | null;
      try {
        raw = await keychain.getSecret(connectionId);
      } catch (error) {
        throw new StepError('VALIDATION', `connection "${ref.name}": ${(error as Error).message}`);
      }
      if (raw === null) {
        throw new StepError(
          'VALIDATION',
          `connection "${ref.name}" has no secret in the OS keychain; create it again`,
        );
      }
      const parsed = StoredSecret.safeParse(JSON.parse(raw));
      if (!parsed.success)
        throw new StepError(
          'VALIDATION',
          `connection "${ref.name}": the stored secret is unreadable`,
        );
      return toResolvedConnection(parsed.data);
    },
  };
}

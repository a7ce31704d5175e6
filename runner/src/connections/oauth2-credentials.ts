import type {
  OAuth2ClientAuth,
  OAuth2Grant,
} from '../../../shared/src/contracts/runner-api/connections';

// One contract for runner and desktop (shared/src/contracts/runner-api/connections.ts).
export {
  ConnectionStatus,
  OAuth2ClientAuth,
  OAuth2Grant,
  OAUTH2_KIND,
} from '../../../shared/src/contracts/runner-api/connections';

/** The non-secret settings, stored in plain columns of `connections`. */
export interface OAuth2Settings {
  tokenUrl: string;
  grant: OAuth2Grant;
  scope: string | null;
  clientAuth: OAuth2ClientAuth;
}

/** The sealed part (`connections.secret_enc`) of an OAuth 2.0 connection. */
export interface OAuth2Secret {
  clientId: string;
  clientSecret?: string;
  refreshToken?: string;
  accessToken?: string;
}

/** Every value of the secret that must never show in a result, a log line or `lastError`. */
export function oauth2SecretValues(secret: OAuth2Secret): string[] {
  return [secret.clientSecret, secret.refreshToken, secret.accessToken].filter(
    (v): v is string => typeof v === 'string' && v.length > 0,
  );
}

import { z } from 'zod';

/** What the operator sees of an OAuth 2.0 connection's health (GET /v1/connections). */
export const ConnectionStatus = z.enum(['ok', 'refresh_failed', 'needs_reauthorization']);
export type ConnectionStatus = z.infer<typeof ConnectionStatus>;

export const OAuth2Grant = z.enum(['refresh_token', 'client_credentials']);
export type OAuth2Grant = z.infer<typeof OAuth2Grant>;

/** RFC 6749 §2.3.1: HTTP Basic (which servers must support) or the client_id/client_secret form fields. */
export const OAuth2ClientAuth = z.enum(['basic', 'body']);
export type OAuth2ClientAuth = z.infer<typeof OAuth2ClientAuth>;

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

export const OAUTH2_KIND = 'oauth2';

/** Every value of the secret that must never show in a result, a log line or `lastError`. */
export function oauth2SecretValues(secret: OAuth2Secret): string[] {
  return [secret.clientSecret, secret.refreshToken, secret.accessToken].filter(
    (v): v is string => typeof v === 'string' && v.length > 0,
  );
}

/** Replaces each secret value in `text` (longest first, so a token's prefix never survives). */
export function redactValues(text: string, secrets: readonly string[]): string {
  return [...secrets]
    .sort((a, b) => b.length - a.length)
    .reduce((out, secret) => (secret ? out.split(secret).join('[redacted]') : out), text);
}

import { z } from 'zod';

/** A PKCE S256 challenge: BASE64URL(SHA-256(code_verifier)). */
export const CodeChallenge = z
  .string()
  .regex(/^[A-Za-z0-9_-]{43}$/, 'must be 43 base64url characters');

/** A PKCE code verifier (RFC 7636 §4.1). */
export const CodeVerifier = z
  .string()
  .regex(/^[A-Za-z0-9._~-]{43,128}$/, 'must be a PKCE code verifier (43-128 characters)');

/** The client's own `state`, echoed back to its redirect URI. */
export const ClientState = z
  .string()
  .regex(/^[\x21-\x7e]{1,500}$/, 'must be 1-500 printable ASCII characters');

/** A one-time code the callback sent to the client's redirect URI. */
export const OneTimeCode = z.string().min(1).max(200);

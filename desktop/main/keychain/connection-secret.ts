import { z } from 'zod';

/** The secret of each connection kind, as stored (JSON) in the keychain. */
export const BearerSecret = z.strictObject({ token: z.string().min(1, 'token is required') });
export const ApiKeySecret = z.strictObject({
  headerName: z
    .string()
    .min(1, 'header name is required')
    .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'must be a valid HTTP header name'),
  value: z.string().min(1, 'value is required'),
});
export const BasicSecret = z.strictObject({
  username: z.string().min(1, 'username is required'),
  password: z.string(),
});
export const OAuth2Secret = z.strictObject({
  accessToken: z.string().min(1, 'access token is required'),
  refreshToken: z.string().optional(),
});

const name = z.string().trim().min(1, 'name is required').max(200);

/** Input of connections.create: the kind decides the secret's shape. */
export const NewConnection = z.discriminatedUnion('kind', [
  z.strictObject({ name, kind: z.literal('bearer'), secret: BearerSecret }),
  z.strictObject({ name, kind: z.literal('apiKey'), secret: ApiKeySecret }),
  z.strictObject({ name, kind: z.literal('basic'), secret: BasicSecret }),
  z.strictObject({ name, kind: z.literal('oauth2'), secret: OAuth2Secret }),
]);
export type NewConnection = z.infer<typeof NewConnection>;
export type ConnectionSecret = NewConnection['secret'];

/** A stored secret with its kind, so that it can be read back without the SQLite row. */
export const StoredSecret = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('bearer'), secret: BearerSecret }),
  z.object({ kind: z.literal('apiKey'), secret: ApiKeySecret }),
  z.object({ kind: z.literal('basic'), secret: BasicSecret }),
  z.object({ kind: z.literal('oauth2'), secret: OAuth2Secret }),
]);
export type StoredSecret = z.infer<typeof StoredSecret>;

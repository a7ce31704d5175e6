import { z } from 'zod';
import {
  ConnectionInfo,
  ConnectionList,
  OAuth2ClientAuth,
  OAuth2Grant,
  OAUTH2_KIND,
} from '../../../../shared/src/contracts/runner-api/connections';
import { outboundUrl } from '../../connections/token-url';

/** Write-only: accepted on create/update, sealed (AES-256-GCM), never returned. */
export const Secrets = z
  .record(
    z.string().max(100),
    z.union([z.string().max(10_000), z.record(z.string(), z.string().max(10_000))]),
  )
  .refine(
    (s) => Object.keys(s).length > 0 && Object.keys(s).length <= 50,
    'give 1 to 50 secret fields',
  )
  .describe(
    'recognised by action.http auth: token (Bearer), username + password (Basic), headers, query',
  );

const TokenUrl = outboundUrl('the token URL').describe(
  'the token endpoint (RFC 6749 §3.2); not secret',
);

/** Write-only settings of an OAuth 2.0 connection (client secret and tokens are sealed). */
export const OAuth2Body = z
  .strictObject({
    tokenUrl: TokenUrl,
    grant: OAuth2Grant,
    clientId: z.string().min(1).max(1_000),
    clientSecret: z.string().min(1).max(10_000).optional(),
    clientAuth: OAuth2ClientAuth.default('basic').describe(
      'how the client authenticates to the token endpoint: HTTP Basic or form fields',
    ),
    scope: z.string().trim().min(1).max(2_000).optional(),
    refreshToken: z
      .string()
      .min(1)
      .max(10_000)
      .optional()
      .describe("required for the refresh_token grant (from the provider's consent)"),
    accessToken: z.string().min(1).max(10_000).optional(),
    expiresAt: z.iso
      .datetime({ offset: true })
      .optional()
      .describe('when accessToken expires; without it, an access token is fetched right away'),
  })
  .superRefine((body, ctx) => {
    if (body.grant === 'refresh_token' && !body.refreshToken)
      ctx.addIssue({
        code: 'custom',
        path: ['refreshToken'],
        message: 'the refresh_token grant needs a refresh token',
      });
    if (body.expiresAt && !body.accessToken)
      ctx.addIssue({
        code: 'custom',
        path: ['expiresAt'],
        message: 'expiresAt is the expiry of accessToken: give both',
      });
  });
export type OAuth2Body = z.infer<typeof OAuth2Body>;

/** Replaces a connection's credentials: `secrets`, or `oauth2` for an OAuth 2.0 connection. */
export const CredentialsBody = z
  .strictObject({ secrets: Secrets.optional(), oauth2: OAuth2Body.optional() })
  .superRefine((body, ctx) => {
    if (!body.secrets === !body.oauth2)
      ctx.addIssue({ code: 'custom', path: [], message: 'give either secrets or oauth2' });
  });

/** At most `requests` step runs using the connection per `intervalSeconds`, all workers together. */
export const RateLimitBody = z
  .strictObject({
    requests: z.int().min(1).max(1_000),
    intervalSeconds: z.int().min(1).max(86_400),
  })
  .describe('steps over the limit wait for their turn (they do not fail)');
export type RateLimitBody = z.infer<typeof RateLimitBody>;

export const ConnectionBody = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    kind: z.string().trim().min(1).max(100).default('http'),
    connectorId: z.string().optional(),
    secrets: Secrets.optional(),
    oauth2: OAuth2Body.optional().describe(`with kind "${OAUTH2_KIND}" (instead of secrets)`),
    rateLimit: RateLimitBody.optional(),
  })
  .superRefine((body, ctx) => {
    if (body.kind === OAUTH2_KIND) {
      if (!body.oauth2)
        ctx.addIssue({
          code: 'custom',
          path: ['oauth2'],
          message: 'an oauth2 connection needs oauth2',
        });
      if (body.secrets)
        ctx.addIssue({
          code: 'custom',
          path: ['secrets'],
          message: 'an oauth2 connection takes oauth2, not secrets',
        });
    } else {
      if (!body.secrets) ctx.addIssue({ code: 'custom', path: ['secrets'], message: 'required' });
      if (body.oauth2)
        ctx.addIssue({
          code: 'custom',
          path: ['oauth2'],
          message: `oauth2 needs kind "${OAUTH2_KIND}"`,
        });
    }
  });

// The answers are the shared contract's (the desktop parses with the same schemas).
export { ConnectionInfo, ConnectionList };

export const ConnectorBody = z.strictObject({
  name: z.string().trim().min(1).max(200),
  kind: z.string().trim().min(1).max(100),
  config: z.record(z.string(), z.unknown()).default({}).describe('non-secret settings'),
  /** When given, a connection with the same name is created for this connector. */
  secrets: Secrets.optional(),
});

export const ConnectorInfo = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.string(),
    config: z.record(z.string(), z.unknown()),
    connection: ConnectionInfo.optional(),
    createdAt: z.string(),
  })
  .meta({ id: 'Connector' });

import { z } from 'zod';
import { OidcProvidersEnv, OidcRedirectUrisEnv } from '../identity/oidc/oidc-config';

const port = z.coerce
  .number({ message: 'must be a port number' })
  .int('must be an integer')
  .min(0, 'must be between 0 and 65535')
  .max(65535, 'must be between 0 and 65535');

const positiveInt = z.coerce
  .number({ message: 'must be a number' })
  .int('must be an integer')
  .positive('must be > 0');

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const url = (protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL (${protocols.join(' or ')})` },
  );

const base64Key = z.string().refine((value) => Buffer.from(value, 'base64').length === 32, {
  message: 'must be 32 bytes encoded in base64 (openssl rand -base64 32)',
});

const JWT_KID = /^[A-Za-z0-9._-]{1,64}$/;

/** `kid:secret` pairs; messages name the entry by position and kid, never the secret. */
const jwtKeyRing = z.string().transform((value, ctx) => {
  const keys: { kid: string; secret: string }[] = [];
  value.split(',').forEach((entry, i) => {
    const at = entry.indexOf(':');
    const kid = entry.slice(0, Math.max(at, 0)).trim();
    const secret = entry.slice(at + 1).trim();
    const problem =
      at < 1 || !JWT_KID.test(kid)
        ? 'must start with a key id of 1-64 letters, digits, . _ - followed by ":"'
        : secret.length < 32
          ? `the secret of "${kid}" must be at least 32 characters`
          : keys.some((k) => k.kid === kid)
            ? `key id "${kid}" is listed twice`
            : null;
    if (problem) ctx.addIssue({ code: 'custom', message: `entry ${i + 1}: ${problem}` });
    else keys.push({ kid, secret });
  });
  return keys;
});

/** Environment variables read by every runner role (docs/runner.md has the table). */
export const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('production'),
  MAESTRO_HOST: z.string().min(1).default('127.0.0.1'),
  MAESTRO_PORT: port.default(8080),
  MAESTRO_PUBLIC_URL: url(['http:', 'https:']).optional(),
  DATABASE_URL: url(['postgres:', 'postgresql:']).default(
    'postgres://postgres@127.0.0.1:5432/maestro',
  ),
  AMQP_URL: url(['amqp:', 'amqps:']).default('amqp://guest:guest@127.0.0.1:5672'),
  MAESTRO_ENCRYPTION_KEY: base64Key.optional(),
  /** Previous keys (comma-separated base64) still accepted for decryption during a rotation. */
  MAESTRO_ENCRYPTION_OLD_KEYS: z
    .string()
    .optional()
    .refine((v) => !v || v.split(',').every((k) => Buffer.from(k.trim(), 'base64').length === 32), {
      message: 'must be a comma-separated list of 32-byte base64 keys',
    }),
  MAESTRO_SMTP_URL: url(['smtp:', 'smtps:']).optional(),
  MAESTRO_MAIL_FROM: z.string().default('Maestro <no-reply@maestro.local>'),
  MAESTRO_JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** JWT key ring `kid:secret,kid:secret` (first signs, all verify); replaces MAESTRO_JWT_SECRET. */
  MAESTRO_JWT_KEYS: jwtKeyRing.optional(),
  MAESTRO_JWT_ISSUER: z.string().default('maestro-runner'),
  /** OpenID Connect providers: JSON `[{ id, name, issuer, clientId, clientSecret?, scopes? }]`. */
  MAESTRO_OIDC_PROVIDERS: OidcProvidersEnv.optional(),
  /** Where sign-in may send its one-time code (exact; loopback IPs: any port, RFC 8252). */
  MAESTRO_OIDC_REDIRECT_URIS: OidcRedirectUrisEnv.optional(),
  MAESTRO_ACCESS_TOKEN_TTL_SECONDS: positiveInt.default(900),
  MAESTRO_REFRESH_TOKEN_TTL_DAYS: positiveInt.default(30),
  /** scrypt parallelism for new password hashes (N=2^14, r=8); 5 meets OWASP's advice. */
  MAESTRO_SCRYPT_P: positiveInt.max(16, 'must be at most 16').default(5),
  MAESTRO_TRUST_PROXY: bool.default(false),
  /** Comma-separated proxy addresses/CIDRs whose X-Forwarded-For is believed (preferred over MAESTRO_TRUST_PROXY=true). */
  MAESTRO_TRUSTED_PROXIES: z.string().default(''),
  MAESTRO_BODY_LIMIT_BYTES: positiveInt.default(1_048_576),
  MAESTRO_CORS_ORIGINS: z
    .string()
    .default('http://localhost:5173,http://127.0.0.1:5173,app://maestro'),
  MAESTRO_RATE_LIMIT_PER_MINUTE: positiveInt.default(600),
  MAESTRO_AUTH_RATE_LIMIT_PER_MINUTE: positiveInt.default(30),
  /** Requests per webhook token per minute (per API process: the webhook hot path keeps no shared counter). */
  MAESTRO_WEBHOOK_RATE_LIMIT_PER_MINUTE: positiveInt.default(60_000),
  /** Serve HTTPS: PEM certificate chain and private key files (both or neither). */
  MAESTRO_TLS_CERT_FILE: z.string().optional(),
  MAESTRO_TLS_KEY_FILE: z.string().optional(),
  MAESTRO_TLS_MIN_VERSION: z.enum(['TLSv1.2', 'TLSv1.3']).default('TLSv1.2'),
  MAESTRO_LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info'),
  MAESTRO_DB_POOL_SIZE: positiveInt.default(10),
  MAESTRO_AUTO_MIGRATE: bool.default(true),
  MAESTRO_QUEUE_PREFIX: z
    .string()
    .regex(/^[a-z0-9_.-]+$/i, 'letters, digits, _ . - only')
    .default('maestro'),
  MAESTRO_WORKER_PREFETCH: positiveInt.default(8),
  MAESTRO_WEBHOOK_RESPONSE_TIMEOUT_MS: positiveInt.default(30_000),
  MAESTRO_EXECUTION_RETENTION_DAYS: positiveInt.default(30),
  MAESTRO_WORKER_ID: z.string().optional(),
});
export type Env = z.infer<typeof EnvSchema>;

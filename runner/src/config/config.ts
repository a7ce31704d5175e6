import { createHash, hkdfSync } from 'node:crypto';
import { hostname } from 'node:os';
import type { OidcProviderConfig } from '../identity/oidc/oidc-config';
import { EnvSchema, type Env } from './env-schema';
import { tlsConfigOf, tlsProblems, type TlsConfig } from './tls';

/** The validated runner configuration every role receives. */
export interface RunnerConfig {
  nodeEnv: Env['NODE_ENV'];
  host: string;
  port: number;
  publicUrl: string;
  databaseUrl: string;
  amqpUrl: string;
  /** AES-256-GCM keys by key id; `encryptionKeyId` seals new secrets. */
  encryptionKeys: Map<string, Buffer>;
  encryptionKeyId: string;
  smtpUrl: string | undefined;
  mailFrom: string;
  jwt: {
    /** HS256 key ring by key id (MAESTRO_JWT_KEYS): every key verifies, `kid` signs. */
    keys: Map<string, Uint8Array>;
    /** The signing key's id (the first of the ring). */
    kid: string;
    issuer: string;
    accessTtlSeconds: number;
    refreshTtlDays: number;
  };
  /** OpenID Connect sign-in (runner/src/identity/oidc): providers and allowed client redirect URIs. */
  oidc: { providers: OidcProviderConfig[]; redirectUris: string[] };
  trustProxy: boolean;
  /** Proxy addresses/CIDRs trusted for X-Forwarded-For (identity: IP allowlists); empty = use trustProxy. */
  trustedProxies: string[];
  bodyLimit: number;
  corsOrigins: string[];
  rateLimitPerMinute: number;
  authRateLimitPerMinute: number;
  webhookRateLimitPerMinute: number;
  /** Set when the API serves HTTPS itself (runner/src/config/tls.ts); else plain HTTP behind a proxy. */
  tls: TlsConfig | undefined;
  logLevel: Env['MAESTRO_LOG_LEVEL'];
  dbPoolSize: number;
  autoMigrate: boolean;
  queuePrefix: string;
  workerPrefetch: number;
  webhookResponseTimeoutMs: number;
  executionRetentionDays: number;
  workerId: string;
  /** Things an operator should know (for instance a derived development key); logged at start. */
  warnings: string[];
}

/** Thrown with one message that names every bad or missing variable. */
export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(
      `Invalid runner configuration:\n${problems.map((p) => `  - ${p.variable}: ${p.message}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

// Values never echoed in configuration errors.
const SECRET_VARIABLE = /KEY|SECRET|PASSWORD|OIDC_PROVIDERS/;

/** `postgres://user:pw@host` → `postgres://user:***@host`, also in URLs that do not parse. */
function withoutCredentials(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*):[^/@]*@/i, '$1:***@');
}

/** Short stable id of a key, stored beside each sealed secret so old keys can be rotated out. */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

/**
 * Reads and validates the environment.
 * @example const config = loadConfig(process.env);
 */
export function loadConfig(source: Record<string, string | undefined> = process.env): RunnerConfig {
  // Empty strings mean "unset" (a common result of `FOO= cmd` and compose files).
  const env = Object.fromEntries(
    Object.entries(source).filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = EnvSchema.safeParse(env);
  const problems: { variable: string; message: string }[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const variable = String(issue.path[0] ?? '(environment)');
      const got =
        env[variable] === undefined || SECRET_VARIABLE.test(variable)
          ? ''
          : ` (got ${JSON.stringify(withoutCredentials(env[variable]))})`;
      // Nested issues (a JSON variable) name their field: `[0].issuer: must be …`.
      const field = issue.path
        .slice(1)
        .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
        .join('')
        .replace(/^\./, '');
      problems.push({ variable, message: `${field ? `${field}: ` : ''}${issue.message}${got}` });
    }
  }
  const nodeEnv = parsed.success ? parsed.data.NODE_ENV : (env.NODE_ENV ?? 'production');
  const relaxed = nodeEnv === 'development' || nodeEnv === 'test';
  if (!env.MAESTRO_ENCRYPTION_KEY && !relaxed) {
    problems.push({
      variable: 'MAESTRO_ENCRYPTION_KEY',
      message:
        'required when NODE_ENV is not development or test (32 bytes in base64: openssl rand -base64 32)',
    });
  }
  if (env.MAESTRO_JWT_KEYS && env.MAESTRO_JWT_SECRET) {
    problems.push({
      variable: 'MAESTRO_JWT_KEYS',
      message:
        'set MAESTRO_JWT_KEYS or MAESTRO_JWT_SECRET, not both (docs/security.md: key rotation)',
    });
  }
  problems.push(...tlsProblems(env));
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  return toRunnerConfig(parsed.data);
}

function toRunnerConfig(e: Env): RunnerConfig {
  const warnings: string[] = [];
  let key: Buffer;
  if (e.MAESTRO_ENCRYPTION_KEY) {
    key = Buffer.from(e.MAESTRO_ENCRYPTION_KEY, 'base64');
  } else {
    // Deterministic so a development database stays readable across restarts; never used in production.
    key = createHash('sha256').update(`maestro-development-key:${e.DATABASE_URL}`).digest();
    warnings.push(
      `MAESTRO_ENCRYPTION_KEY is not set: using a key derived from DATABASE_URL (NODE_ENV=${e.NODE_ENV} only; never in production)`,
    );
  }
  const encryptionKeys = new Map<string, Buffer>([[keyIdOf(key), key]]);
  for (const old of (e.MAESTRO_ENCRYPTION_OLD_KEYS ?? '').split(',').filter(Boolean)) {
    const oldKey = Buffer.from(old.trim(), 'base64');
    encryptionKeys.set(keyIdOf(oldKey), oldKey);
  }
  const jwtKeys = jwtKeyRing(e, key);
  return {
    nodeEnv: e.NODE_ENV,
    host: e.MAESTRO_HOST,
    port: e.MAESTRO_PORT,
    publicUrl: (
      e.MAESTRO_PUBLIC_URL ??
      `${tlsConfigOf(e) ? 'https' : 'http'}://${e.MAESTRO_HOST}:${e.MAESTRO_PORT}`
    ).replace(/\/+$/, ''),
    databaseUrl: e.DATABASE_URL,
    amqpUrl: e.AMQP_URL,
    encryptionKeys,
    encryptionKeyId: keyIdOf(key),
    smtpUrl: e.MAESTRO_SMTP_URL,
    mailFrom: e.MAESTRO_MAIL_FROM,
    jwt: {
      keys: jwtKeys,
      kid: jwtKeys.keys().next().value!,
      issuer: e.MAESTRO_JWT_ISSUER,
      accessTtlSeconds: e.MAESTRO_ACCESS_TOKEN_TTL_SECONDS,
      refreshTtlDays: e.MAESTRO_REFRESH_TOKEN_TTL_DAYS,
    },
    oidc: {
      providers: e.MAESTRO_OIDC_PROVIDERS ?? [],
      redirectUris: e.MAESTRO_OIDC_REDIRECT_URIS ?? [],
    },
    trustProxy: e.MAESTRO_TRUST_PROXY,
    trustedProxies: e.MAESTRO_TRUSTED_PROXIES.split(',')
      .map((p) => p.trim())
      .filter(Boolean),
    bodyLimit: e.MAESTRO_BODY_LIMIT_BYTES,
    corsOrigins: e.MAESTRO_CORS_ORIGINS.split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    rateLimitPerMinute: e.MAESTRO_RATE_LIMIT_PER_MINUTE,
    authRateLimitPerMinute: e.MAESTRO_AUTH_RATE_LIMIT_PER_MINUTE,
    webhookRateLimitPerMinute: e.MAESTRO_WEBHOOK_RATE_LIMIT_PER_MINUTE,
    tls: tlsConfigOf(e),
    logLevel: e.MAESTRO_LOG_LEVEL,
    dbPoolSize: e.MAESTRO_DB_POOL_SIZE,
    autoMigrate: e.MAESTRO_AUTO_MIGRATE,
    queuePrefix: e.MAESTRO_QUEUE_PREFIX,
    workerPrefetch: e.MAESTRO_WORKER_PREFETCH,
    webhookResponseTimeoutMs: e.MAESTRO_WEBHOOK_RESPONSE_TIMEOUT_MS,
    executionRetentionDays: e.MAESTRO_EXECUTION_RETENTION_DAYS,
    workerId: e.MAESTRO_WORKER_ID ?? `${hostname()}:${process.pid}`,
    warnings,
  };
}

/**
 * The JWT key ring, signing key first: MAESTRO_JWT_KEYS as given; else MAESTRO_JWT_SECRET or,
 * without it, a key derived from the encryption key (HKDF, never equal to it), each with a
 * kid derived from the secret (the first 8 hex digits of its SHA-256).
 */
function jwtKeyRing(e: Env, encryptionKey: Buffer): Map<string, Uint8Array> {
  const utf8 = (secret: string) => new Uint8Array(Buffer.from(secret, 'utf8'));
  if (e.MAESTRO_JWT_KEYS) return new Map(e.MAESTRO_JWT_KEYS.map((k) => [k.kid, utf8(k.secret)]));
  const secret = e.MAESTRO_JWT_SECRET
    ? utf8(e.MAESTRO_JWT_SECRET)
    : new Uint8Array(hkdfSync('sha256', encryptionKey, Buffer.alloc(0), 'maestro-jwt-hs256', 32));
  return new Map([[createHash('sha256').update(secret).digest('hex').slice(0, 8), secret]]);
}

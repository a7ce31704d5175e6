import type { LoggerOptions } from 'pino';

/** Paths pino replaces with [redacted] wherever they appear in a log line. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["x-maestro-signature"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.passwordHash',
  '*.refreshToken',
  '*.accessToken',
  '*.secret',
  '*.secrets',
  '*.token',
  '*.apiKey',
  'secrets',
  'password',
];

/**
 * Logger options shared by every role (Fastify's logger and the worker's pino instance).
 * @example pino(loggerOptions('info'))
 */
export function loggerOptions(level: string, base: Record<string, unknown> = {}): LoggerOptions {
  return {
    level,
    base: { service: 'maestro-runner', ...base },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
  };
}

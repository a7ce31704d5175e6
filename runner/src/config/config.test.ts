import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('applies the documented defaults in development and warns about the derived key', () => {
    const config = loadConfig({ NODE_ENV: 'development' });
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      publicUrl: 'http://127.0.0.1:8080',
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/maestro',
      amqpUrl: 'amqp://guest:guest@127.0.0.1:5672',
      smtpUrl: undefined,
    });
    expect(config.encryptionKeys.get(config.encryptionKeyId)).toHaveLength(32);
    expect(config.warnings.join()).toMatch(/MAESTRO_ENCRYPTION_KEY is not set/);
  });

  it('never echoes the password of a URL variable it refuses', () => {
    const attempt = (env: Record<string, string>) => {
      try {
        loadConfig({ NODE_ENV: 'development', ...env });
      } catch (e) {
        return (e as Error).message;
      }
      throw new Error('expected a ConfigError');
    };
    const db = attempt({ DATABASE_URL: 'mysql://app:hunter2-db@db.internal/maestro' });
    expect(db).toContain('DATABASE_URL');
    expect(db).toContain('mysql://app:***@db.internal/maestro');
    expect(db).not.toContain('hunter2');
    const amqp = attempt({ AMQP_URL: 'amqp://guest:s3cret-mq@mq:notaport' });
    expect(amqp).toContain('AMQP_URL');
    expect(amqp).not.toContain('s3cret');
  });

  it('names every bad or missing variable in one message', () => {
    let error: unknown;
    try {
      loadConfig({
        MAESTRO_PORT: 'eighty',
        DATABASE_URL: 'mysql://x',
        MAESTRO_TRUST_PROXY: 'maybe',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of [
      'MAESTRO_PORT',
      'DATABASE_URL',
      'MAESTRO_TRUST_PROXY',
      'MAESTRO_ENCRYPTION_KEY',
    ]) {
      expect(message).toContain(name);
    }
    expect((error as ConfigError).problems).toHaveLength(4);
  });

  it('rejects a key that is not 32 bytes and accepts a proper one in production', () => {
    expect(() =>
      loadConfig({ MAESTRO_ENCRYPTION_KEY: randomBytes(16).toString('base64') }),
    ).toThrow(/32 bytes/);
    const key = randomBytes(32);
    const config = loadConfig({
      MAESTRO_ENCRYPTION_KEY: key.toString('base64'),
      MAESTRO_PORT: '9000',
    });
    expect(config.encryptionKeys.get(config.encryptionKeyId)).toEqual(key);
    expect(config.port).toBe(9000);
    expect(config.warnings).toEqual([]);
  });
});

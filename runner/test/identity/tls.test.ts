import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config';
import { createTestApp, type TestApp } from '../support/test-app';
import { makeCertificate as makeCertificateIn } from './support/certificates';

let dir: string;
let certFile: string;
let keyFile: string;
let ca: Buffer;

const makeCertificate = (name: string) => makeCertificateIn(dir, name);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'maestro-tls-'));
  ({ cert: certFile, key: keyFile } = makeCertificate('server'));
  ca = readFileSync(certFile);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function listening(env: Record<string, string>): Promise<{ t: TestApp; port: number }> {
  const t = await createTestApp({
    MAESTRO_TLS_CERT_FILE: certFile,
    MAESTRO_TLS_KEY_FILE: keyFile,
    ...env,
  });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const address = t.app.server.address();
  return { t, port: typeof address === 'object' && address ? address.port : 0 };
}

function get(module: typeof http | typeof https, url: string, options: https.RequestOptions = {}) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>(
    (resolve, reject) => {
      const req = module.get(url, options, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.setTimeout(5_000, () => req.destroy(new Error('timeout')));
    },
  );
}

/** Opens a TLS connection limited to one protocol version; resolves the protocol or the error code. */
function handshake(port: number, version: tls.SecureVersion) {
  return new Promise<string>((resolve) => {
    const socket = tls.connect({
      host: '127.0.0.1',
      port,
      ca,
      minVersion: version,
      maxVersion: version,
      // Let the client offer old versions, so the refusal is the server's.
      ciphers: 'DEFAULT@SECLEVEL=0',
    });
    socket.on('secureConnect', () => {
      resolve(socket.getProtocol() ?? 'unknown');
      socket.end();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

describe('HTTPS from MAESTRO_TLS_CERT_FILE / MAESTRO_TLS_KEY_FILE', () => {
  let server: { t: TestApp; port: number };
  beforeAll(async () => {
    server = await listening({});
  });
  afterAll(() => server?.t.close());

  it('answers HTTPS requests verified against the certificate, with HSTS', async () => {
    const res = await get(https, `https://127.0.0.1:${server.port}/healthz`, { ca });
    expect(res.status).toBe(200);
    expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    // The same name check a client does: localhost is in the certificate too.
    expect((await get(https, `https://localhost:${server.port}/healthz`, { ca })).status).toBe(200);
  });

  it('does not answer plain HTTP on that port', async () => {
    const outcome = await get(http, `http://127.0.0.1:${server.port}/healthz`).then(
      (res) => `status ${res.status}`,
      (error: NodeJS.ErrnoException) => error.code ?? error.message,
    );
    expect(outcome).not.toBe('status 200');
    expect(outcome).toMatch(/ECONNRESET|socket hang up|HPE_|status 400/);
  });

  it('refuses TLS 1.0 and 1.1 (server alert), accepts TLS 1.2 and 1.3', async () => {
    expect(await handshake(server.port, 'TLSv1')).toBe('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION');
    expect(await handshake(server.port, 'TLSv1.1')).toBe('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION');
    expect(await handshake(server.port, 'TLSv1.2')).toBe('TLSv1.2');
    expect(await handshake(server.port, 'TLSv1.3')).toBe('TLSv1.3');
  });

  it('rejects a client that does not trust the certificate', async () => {
    await expect(get(https, `https://127.0.0.1:${server.port}/healthz`)).rejects.toMatchObject({
      code: 'DEPTH_ZERO_SELF_SIGNED_CERT',
    });
  });

  it('raises the floor with MAESTRO_TLS_MIN_VERSION=TLSv1.3', async () => {
    const strict = await listening({ MAESTRO_TLS_MIN_VERSION: 'TLSv1.3' });
    try {
      expect(await handshake(strict.port, 'TLSv1.2')).toBe('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION');
      expect(await handshake(strict.port, 'TLSv1.3')).toBe('TLSv1.3');
    } finally {
      await strict.t.close();
    }
  });
});

describe('TLS configuration errors (named at start)', () => {
  const base = { NODE_ENV: 'test' };
  function problemsOf(env: Record<string, string>) {
    try {
      loadConfig({ ...base, ...env });
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
    return [];
  }

  it('needs both files or neither', () => {
    expect(problemsOf({ MAESTRO_TLS_CERT_FILE: certFile })).toEqual([
      { variable: 'MAESTRO_TLS_KEY_FILE', message: expect.stringContaining('both or neither') },
    ]);
    expect(problemsOf({ MAESTRO_TLS_KEY_FILE: keyFile })).toEqual([
      { variable: 'MAESTRO_TLS_CERT_FILE', message: expect.stringContaining('both or neither') },
    ]);
    expect(loadConfig(base).tls).toBeUndefined();
  });

  it('makes the default public URL https when serving TLS', () => {
    const config = loadConfig({
      ...base,
      MAESTRO_TLS_CERT_FILE: certFile,
      MAESTRO_TLS_KEY_FILE: keyFile,
    });
    expect(config.tls).toEqual({ certFile, keyFile, minVersion: 'TLSv1.2' });
    expect(config.publicUrl).toBe('https://127.0.0.1:8080');
    expect(loadConfig(base).publicUrl).toBe('http://127.0.0.1:8080');
  });

  it('names a file it cannot read', () => {
    const missing = join(dir, 'nope.key');
    expect(problemsOf({ MAESTRO_TLS_CERT_FILE: certFile, MAESTRO_TLS_KEY_FILE: missing })).toEqual([
      {
        variable: 'MAESTRO_TLS_KEY_FILE',
        message: `cannot read ${JSON.stringify(missing)} (ENOENT)`,
      },
    ]);
  });

  it('refuses a key that does not belong to the certificate, without printing the key', () => {
    const other = makeCertificate('other');
    const problems = problemsOf({
      MAESTRO_TLS_CERT_FILE: certFile,
      MAESTRO_TLS_KEY_FILE: other.key,
    });
    expect(problems).toEqual([
      {
        variable: 'MAESTRO_TLS_KEY_FILE',
        message: expect.stringContaining('cannot be used together'),
      },
    ]);
    expect(problems[0]!.message).not.toContain('PRIVATE KEY');
  });

  it('refuses a file that is not PEM', () => {
    const junk = join(dir, 'junk.pem');
    writeFileSync(junk, 'not a certificate');
    expect(problemsOf({ MAESTRO_TLS_CERT_FILE: junk, MAESTRO_TLS_KEY_FILE: keyFile })).toHaveLength(
      1,
    );
  });

  it('accepts only TLSv1.2 or TLSv1.3 as the minimum', () => {
    expect(problemsOf({ MAESTRO_TLS_MIN_VERSION: 'TLSv1.1' })).toEqual([
      { variable: 'MAESTRO_TLS_MIN_VERSION', message: expect.any(String) },
    ]);
  });
});

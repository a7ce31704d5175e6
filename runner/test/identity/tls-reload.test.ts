import { X509Certificate } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reloadCertificate } from '../../src/config/tls';
import { createTestApp, type TestApp } from '../support/test-app';
import { makeCertificate } from './support/certificates';

/**
 * A running HTTPS API gets a renewed certificate on SIGHUP (sent to this test process, which is
 * the server's process), and keeps the one it has when the new files cannot be used.
 */
let dir: string;
let first: { cert: string; key: string };
let second: { cert: string; key: string };
let live: { cert: string; key: string };
let t: TestApp;
let port: number;
let listenersBefore: number;

const fingerprint = (file: string) => new X509Certificate(readFileSync(file)).fingerprint256;
const install = (pair: { cert: string; key: string }) => {
  copyFileSync(pair.cert, live.cert);
  copyFileSync(pair.key, live.key);
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'maestro-tls-reload-'));
  first = makeCertificate(dir, 'first');
  second = makeCertificate(dir, 'second');
  live = { cert: join(dir, 'live.crt'), key: join(dir, 'live.key') };
  install(first);
  listenersBefore = process.listenerCount('SIGHUP');
  t = await createTestApp({ MAESTRO_TLS_CERT_FILE: live.cert, MAESTRO_TLS_KEY_FILE: live.key });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const address = t.app.server.address();
  port = typeof address === 'object' && address ? address.port : 0;
});
afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The SHA-256 fingerprint of the certificate a new client connection is served. */
function servedFingerprint(): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: '127.0.0.1',
      port,
      ca: [readFileSync(first.cert), readFileSync(second.cert)],
    });
    socket.on('secureConnect', () => {
      resolve(socket.getPeerCertificate().fingerprint256);
      socket.end();
    });
    socket.on('error', reject);
  });
}

/** Sends SIGHUP to this process; resolves once the listeners ran (the server's came first). */
async function sighup(): Promise<void> {
  const handled = new Promise((resolve) => process.once('SIGHUP', resolve));
  process.kill(process.pid, 'SIGHUP');
  await handled;
}

function healthz(ca: string): Promise<number> {
  return new Promise((resolve, reject) => {
    https
      .get(`https://127.0.0.1:${port}/healthz`, { ca: readFileSync(ca) }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
      .on('error', reject);
  });
}

describe('TLS certificate reload on SIGHUP', () => {
  it('serves the renewed certificate to new connections after SIGHUP', async () => {
    expect(await servedFingerprint()).toBe(fingerprint(first.cert));
    install(second);
    // Until the signal the server keeps what it read at start.
    expect(await servedFingerprint()).toBe(fingerprint(first.cert));
    await sighup();
    expect(await servedFingerprint()).toBe(fingerprint(second.cert));
    // A client that trusts only the new certificate gets through; one that trusts only the old does not.
    expect(await healthz(second.cert)).toBe(200);
    await expect(healthz(first.cert)).rejects.toMatchObject({ code: expect.any(String) });
  });

  it('keeps the current certificate when the new files are unreadable, not PEM or do not match', async () => {
    install(second);
    await sighup();
    const current = fingerprint(second.cert);

    writeFileSync(live.cert, 'not a certificate');
    await sighup();
    expect(await servedFingerprint()).toBe(current);

    copyFileSync(first.cert, live.cert); // first's certificate with second's key
    await sighup();
    expect(await servedFingerprint()).toBe(current);

    rmSync(live.key);
    await sighup();
    expect(await servedFingerprint()).toBe(current);
    expect(await healthz(second.cert)).toBe(200);

    install(first); // fixed files are taken on the next signal
    await sighup();
    expect(await servedFingerprint()).toBe(fingerprint(first.cert));
  });

  it('names the files in the error it logs, without their contents', () => {
    copyFileSync(second.cert, live.cert);
    copyFileSync(first.key, live.key);
    const server = t.app.server as unknown as tls.Server;
    let message = '';
    try {
      reloadCertificate(server, { certFile: live.cert, keyFile: live.key, minVersion: 'TLSv1.2' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(
      `cannot use the TLS certificate and key "${live.cert}" and "${live.key}"`,
    );
    expect(message).not.toContain('PRIVATE KEY');
  });

  it('keeps the TLS version floor after a reload', async () => {
    install(second);
    await sighup();
    const outcome = await new Promise<string>((resolve) => {
      const socket = tls.connect({
        host: '127.0.0.1',
        port,
        rejectUnauthorized: false,
        minVersion: 'TLSv1.1',
        maxVersion: 'TLSv1.1',
        ciphers: 'DEFAULT@SECLEVEL=0',
      });
      socket.on('secureConnect', () => {
        resolve(socket.getProtocol() ?? 'connected');
        socket.end();
      });
      socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    });
    expect(outcome).toBe('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION');
  });

  it('stops listening for SIGHUP when the server closes', async () => {
    expect(process.listenerCount('SIGHUP')).toBe(listenersBefore + 1);
    await t.app.close();
    expect(process.listenerCount('SIGHUP')).toBe(listenersBefore);
  });
});

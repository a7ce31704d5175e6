import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAddressPolicy, normalizeAddress } from '../../src/worker/address-policy';
import { createGuardedHttpClient } from '../../src/worker/guarded-http-client';
import { StepError } from '../../../shared/src/engine/step-error';

let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/redirect-to-loopback') {
      res.writeHead(302, { location: `http://127.0.0.1:${port}/ok` }).end();
      return;
    }
    if (req.url === '/redirect-local') {
      res.writeHead(302, { location: `/ok` }).end();
      return;
    }
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ path: req.url, from: req.socket.localAddress }));
  });
  await new Promise<void>((resolve) => server.listen(0, '::', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const signal = () => AbortSignal.timeout(5_000);

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    return error instanceof StepError
      ? `${error.code}: ${error.message}`
      : `other: ${String(error)}`;
  }
}

describe('SSRF guard', () => {
  const guarded = createGuardedHttpClient({ policy: createAddressPolicy() });
  afterAll(() => guarded.close());
  const get = (url: string) =>
    guarded.request({ method: 'GET', url, headers: {}, signal: signal() });

  it.each([
    ['loopback IPv4', () => `http://127.0.0.1:${port}/ok`],
    ['loopback IPv6', () => `http://[::1]:${port}/ok`],
    ['cloud metadata', () => 'http://169.254.169.254/latest/meta-data/'],
    ['IPv4-mapped loopback', () => `http://[::ffff:127.0.0.1]:${port}/ok`],
    ['a hostname resolving to loopback', () => `http://localhost:${port}/ok`],
    ['private 10/8', () => 'http://10.0.0.1/'],
  ])('refuses %s', async (_name, url) => {
    expect(await codeOf(get(url()))).toMatch(/^BLOCKED_ADDRESS: /);
  });

  it('refuses a redirect from an allowed address to loopback', async () => {
    const onlyAlias = createGuardedHttpClient({
      policy: createAddressPolicy({ allowedRanges: ['127.0.0.2/32'] }),
    });
    try {
      const allowed = await onlyAlias.request({
        method: 'GET',
        url: `http://127.0.0.2:${port}/ok`,
        headers: {},
        signal: signal(),
      });
      expect(allowed.status).toBe(200);
      const hop = onlyAlias.request({
        method: 'GET',
        url: `http://127.0.0.2:${port}/redirect-to-loopback`,
        headers: {},
        signal: signal(),
      });
      expect(await codeOf(hop)).toMatch(/^BLOCKED_ADDRESS: .*127\.0\.0\.1/);
    } finally {
      await onlyAlias.close();
    }
  });

  it('allows private addresses when the organization allows the range', async () => {
    const open = createGuardedHttpClient({
      policy: createAddressPolicy({ allowedRanges: ['127.0.0.0/8', '::1/128'] }),
    });
    try {
      for (const host of ['127.0.0.1', '[::1]', 'localhost']) {
        const response = await open.request({
          method: 'GET',
          url: `http://${host}:${port}/redirect-local`,
          headers: {},
          signal: signal(),
        });
        expect(response.status).toBe(200);
        expect(JSON.parse(response.body)).toMatchObject({ path: '/ok' });
      }
    } finally {
      await open.close();
    }
    const all = createGuardedHttpClient({
      policy: createAddressPolicy({ allowPrivateNetwork: true }),
    });
    try {
      expect(
        (
          await all.request({
            method: 'GET',
            url: `http://localhost:${port}/ok`,
            headers: {},
            signal: signal(),
          })
        ).status,
      ).toBe(200);
    } finally {
      await all.close();
    }
  });

  it('reports a refused connection as a NETWORK error', async () => {
    const open = createGuardedHttpClient({
      policy: createAddressPolicy({ allowPrivateNetwork: true }),
    });
    try {
      expect(
        await codeOf(
          open.request({
            method: 'GET',
            url: 'http://127.0.0.1:1/',
            headers: {},
            signal: signal(),
          }),
        ),
      ).toMatch(/^NETWORK: /);
    } finally {
      await open.close();
    }
  });

  it('judges IPv4 wrapped in IPv6 by its IPv4 part', () => {
    expect(normalizeAddress('::ffff:169.254.169.254')).toEqual({
      address: '169.254.169.254',
      family: 'ipv4',
    });
    expect(normalizeAddress('::ffff:7f00:1')).toEqual({ address: '127.0.0.1', family: 'ipv4' });
    expect(normalizeAddress('64:ff9b::a00:1')).toEqual({ address: '10.0.0.1', family: 'ipv4' });
    const policy = createAddressPolicy();
    expect(policy.refusal('fd00:ec2::254')).toBeDefined();
    expect(policy.refusal('fe80::1')).toBeDefined();
    expect(policy.refusal('100.64.1.1')).toBeDefined();
    expect(policy.refusal('93.184.216.34')).toBeUndefined();
    expect(policy.refusal('2606:4700::1111')).toBeUndefined();
  });
});

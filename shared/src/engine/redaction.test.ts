import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaticSecretResolver } from '../host/static-secret-resolver';
import { createTestHost } from '../testing/test-host';
import { buildWorkflow } from '../testing/workflow-builder';
import type { EngineEvent } from './events';
import { createRedactor, REDACTED } from './redaction';
import { runWorkflow } from './run-workflow';

describe('createRedactor', () => {
  it('replaces secrets inside larger strings, nested data and keys, copying only what changes', () => {
    const redactor = createRedactor(['tok123']);
    const untouched = { keep: [1, 'x'] };
    const input = { a: 'Bearer tok123!', b: [{ c: 'tok123tok123' }], tok123: 1, untouched };
    const out = redactor.redact(input);
    expect(out).toEqual({
      a: `Bearer ${REDACTED}!`,
      b: [{ c: `${REDACTED}${REDACTED}` }],
      [REDACTED]: 1,
      untouched: { keep: [1, 'x'] },
    });
    expect(out.untouched).toBe(untouched);
    expect(input.a).toBe('Bearer tok123!');
  });

  it('replaces the longest secret first and treats regex characters literally', () => {
    const redactor = createRedactor(['ab', 'abc.d*']);
    expect(redactor.redactText('x abc.d* ab abcXd')).toBe(
      `x ${REDACTED} ${REDACTED} ${REDACTED}cXd`,
    );
  });

  it('returns values as they are while no secret is known, and ignores empty strings', () => {
    const redactor = createRedactor(['']);
    const value = { a: 'x' };
    expect(redactor.redact(value)).toBe(value);
  });
});

/** Echoes back what it received: the headers, the query and the body. */
let baseUrl = '';
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk: Buffer) => (body += chunk.toString()));
  req.on('end', () => {
    const url = new URL(req.url ?? '/', 'http://x');
    const status = Number(url.searchParams.get('status') ?? '200');
    res.writeHead(status, {
      'content-type': 'application/json',
      'x-echo-auth': req.headers.authorization ?? '',
    });
    res.end(
      JSON.stringify({ headers: req.headers, query: Object.fromEntries(url.searchParams), body }),
    );
  });
});
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function runCollecting(
  prepared: ReturnType<typeof buildWorkflow>,
  extra: { secretValues?: string[] } = {},
) {
  const events: EngineEvent[] = [];
  const host = createTestHost({
    secrets: createStaticSecretResolver({
      crm: {
        headers: { 'x-api-key': 'conn-key-9876' },
        query: { sig: 'conn-sig-5432' },
        secrets: ['conn-key-9876', 'conn-sig-5432'],
      },
    }),
  });
  const result = await runWorkflow(prepared, {
    input: { token: 'user-secret-1' },
    executionId: 'e',
    host,
    onEvent: (e) => events.push(e),
    ...extra,
  });
  return { result, events, text: JSON.stringify({ result, events }) };
}

describe('redaction in runs', () => {
  it('redacts an Authorization header the server echoes, in results and events, while later steps see the real value', async () => {
    const prepared = buildWorkflow(
      [
        {
          id: 'call',
          type: 'action.http',
          config: { url: `${baseUrl}/echo`, headers: { Authorization: 'Bearer sk-live-abcdef' } },
        },
        {
          id: 'check',
          type: 'branch.if',
          config: {
            condition: '{{ steps.call.body.headers.authorization = "Bearer sk-live-abcdef" }}',
          },
        },
      ],
      [
        { from: 'start', to: 'call' },
        { from: 'call', to: 'check' },
      ],
    );
    const { result, events, text } = await runCollecting(prepared);
    expect(text).not.toContain('sk-live-abcdef');
    expect(result.steps.call?.output).toMatchObject({
      headers: { 'x-echo-auth': REDACTED },
      body: { headers: { authorization: REDACTED } },
    });
    expect(events.find((e) => e.type === 'step.started' && e.stepId === 'call')).toMatchObject({
      input: { headers: { Authorization: REDACTED } },
    });
    expect(result.steps.check?.port).toBe('true');
  });

  it('redacts Cookie and Proxy-Authorization values, and a bare token echoed without its scheme', async () => {
    const prepared = buildWorkflow(
      [
        {
          id: 'call',
          type: 'action.http',
          config: {
            url: `${baseUrl}/echo`,
            headers: {
              Cookie: 'session=cookie-val-77',
              'Proxy-Authorization': 'Basic cHJveHk6cGFzcw==',
            },
          },
        },
        {
          id: 'copy',
          type: 'transform',
          config: {
            value:
              'token was {{ $substringAfter(steps.call.body.headers."proxy-authorization", " ") }}',
          },
        },
      ],
      [
        { from: 'start', to: 'call' },
        { from: 'call', to: 'copy' },
      ],
    );
    const { result, text } = await runCollecting(prepared);
    expect(text).not.toContain('cookie-val-77');
    expect(text).not.toContain('cHJveHk6cGFzcw==');
    expect(result.steps.copy?.output).toBe(`token was ${REDACTED}`);
  });

  it('redacts connection secrets, including in the error message of a failing call', async () => {
    const prepared = buildWorkflow(
      [
        {
          id: 'call',
          type: 'action.http',
          config: {
            url: `${baseUrl}/echo?status=400&k={{ "conn-key-9876" }}`,
            auth: { connection: 'crm' },
          },
        },
      ],
      [{ from: 'start', to: 'call' }],
    );
    const { result, text } = await runCollecting(prepared);
    expect(result.status).toBe('failed');
    expect(text).not.toContain('conn-key-9876');
    expect(text).not.toContain('conn-sig-5432');
    expect(result.error?.message).toBe(`GET ${baseUrl}/echo returned 400`);
  });

  it('redacts values the user marks as secret, in outputs, logs of events and run errors', async () => {
    const prepared = buildWorkflow(
      [
        { id: 'copy', type: 'transform', config: { value: { t: 'x{{ trigger.token }}x' } } },
        { id: 'stop', type: 'flow.fail', config: { message: 'bad token {{ trigger.token }}' } },
      ],
      [
        { from: 'start', to: 'copy' },
        { from: 'copy', to: 'stop' },
      ],
    );
    const { result, text } = await runCollecting(prepared, { secretValues: ['user-secret-1'] });
    expect(text).not.toContain('user-secret-1');
    expect(result.steps.start?.output).toEqual({ token: REDACTED });
    expect(result.steps.copy?.output).toEqual({ t: `x${REDACTED}x` });
    expect(result.error).toEqual({ step: 'stop', code: 'FAIL', message: `bad token ${REDACTED}` });
  });
});

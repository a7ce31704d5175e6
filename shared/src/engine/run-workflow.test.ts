import { getEventListeners } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunResult } from '../model/run-result';
import { createTestHost } from '../testing/test-host';
import { buildWorkflow } from '../testing/workflow-builder';
import type { EdgeSpec, NodeSpec } from '../testing/workflow-builder';
import type { EngineEvent } from './events';
import type { RunOptions } from './run-options';
import { runWorkflow } from './run-workflow';

/**
 * A real HTTP server: /delay?ms=&id= answers {id} after ms (tracking requests
 * in flight), /flaky?key=&fail=&status=&retryAfter= fails `fail` times then
 * answers 200, /status?code= answers that status.
 */
let baseUrl = '';
/** Requests in flight and the most seen at once, per `g` (test group) parameter. */
const inFlight = new Map<string, number>();
const maxInFlight = new Map<string, number>();
const flakyCalls = new Map<string, number>();
const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  const q = (name: string) => url.searchParams.get(name) ?? '';
  const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
    res
      .writeHead(status, { 'content-type': 'application/json', ...headers })
      .end(JSON.stringify(body));
  };
  if (url.pathname === '/delay') {
    const group = q('g');
    const now = (inFlight.get(group) ?? 0) + 1;
    inFlight.set(group, now);
    maxInFlight.set(group, Math.max(maxInFlight.get(group) ?? 0, now));
    const done = () => inFlight.set(group, (inFlight.get(group) ?? 1) - 1);
    const timer = setTimeout(
      () => {
        done();
        json(200, { id: q('id') });
      },
      Number(q('ms')),
    );
    res.on('close', () => {
      if (!res.writableEnded) {
        clearTimeout(timer);
        done();
      }
    });
  } else if (url.pathname === '/flaky') {
    const calls = (flakyCalls.get(q('key')) ?? 0) + 1;
    flakyCalls.set(q('key'), calls);
    if (calls <= Number(q('fail')))
      json(
        Number(q('status')),
        { calls },
        q('retryAfter') ? { 'retry-after': q('retryAfter') } : {},
      );
    else json(200, { calls });
  } else if (url.pathname === '/status') json(Number(q('code')), { code: Number(q('code')) });
  else json(404, { error: 'no route' });
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const http = (id: string, path: string, extra: Record<string, unknown> = {}): NodeSpec => ({
  id,
  type: 'action.http',
  config: { url: `${baseUrl}${path}` },
  ...extra,
});
const transform = (id: string, value: unknown): NodeSpec => ({
  id,
  type: 'transform',
  config: { value },
});

async function run(
  nodes: NodeSpec[],
  edges: EdgeSpec[],
  options: Partial<RunOptions> & { timeoutMs?: number } = {},
) {
  const { timeoutMs, ...rest } = options;
  const prepared = buildWorkflow(nodes, edges, timeoutMs ? { timeoutMs } : undefined);
  const events: EngineEvent[] = [];
  const result: RunResult = await runWorkflow(prepared, {
    input: { n: 2 },
    executionId: 'exec-1',
    host: createTestHost(),
    onEvent: (event) => events.push(event),
    ...rest,
  });
  return { result, events };
}

describe('runWorkflow: results and data flow', () => {
  it('runs a chain, passing outputs through steps.<id>, and returns the spec result shape', async () => {
    const { result } = await run(
      [
        transform('a', '{{ trigger.n * 10 }}'),
        transform('b', { sum: '{{ steps.a + 1 }}', run: '{{ execution.id }}' }),
      ],
      [
        { from: 'start', to: 'a' },
        { from: 'a', to: 'b' },
      ],
    );
    expect(result).toEqual({
      status: 'success',
      startedAt: expect.any(String) as unknown,
      finishedAt: expect.any(String) as unknown,
      steps: {
        start: {
          status: 'success',
          attempts: 1,
          output: { n: 2 },
          durationMs: expect.any(Number) as unknown,
        },
        a: {
          status: 'success',
          attempts: 1,
          output: 20,
          durationMs: expect.any(Number) as unknown,
        },
        b: {
          status: 'success',
          attempts: 1,
          output: { sum: 21, run: 'exec-1' },
          durationMs: expect.any(Number) as unknown,
        },
      },
    });
    expect(Date.parse(result.finishedAt ?? '')).toBeGreaterThanOrEqual(
      Date.parse(result.startedAt),
    );
    expect(RunResult.strict().parse(JSON.parse(JSON.stringify(result)))).toEqual(result);
  });

  it('emits run.started first, step events with the evaluated config, run.finished last', async () => {
    const { result, events } = await run(
      [transform('a', '{{ trigger.n }}')],
      [{ from: 'start', to: 'a' }],
    );
    expect(events[0]).toMatchObject({ type: 'run.started', executionId: 'exec-1' });
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'step.started',
        stepId: 'a',
        attempt: 1,
        input: { value: 2 },
      }),
    );
    expect(events).toContainEqual(expect.objectContaining({ type: 'step.finished', stepId: 'a' }));
    expect(events.at(-1)).toEqual({ type: 'run.finished', result, at: result.finishedAt });
  });

  it('fails a step whose computed config breaks its schema with VALIDATION, without retrying', async () => {
    const { result } = await run(
      [
        {
          id: 'r',
          type: 'respond',
          config: { status: '{{ "abc" }}' },
          retry: { maxAttempts: 3, backoffMs: 1 },
        },
      ],
      [{ from: 'start', to: 'r' }],
    );
    expect(result.status).toBe('failed');
    expect(result.steps.r).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: { code: 'VALIDATION', message: 'config.status: expected number, got string' },
    });
    expect(result.error).toEqual({
      step: 'r',
      code: 'VALIDATION',
      message: 'config.status: expected number, got string',
    });
  });

  it('fails on an expression error with EXPRESSION, without retrying', async () => {
    const { result } = await run(
      [{ ...transform('a', '{{ $notAFunction() }}'), retry: { maxAttempts: 3, backoffMs: 1 } }],
      [{ from: 'start', to: 'a' }],
    );
    expect(result.steps.a).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: { code: 'EXPRESSION' },
    });
  });

  it('ends the run with FAIL at flow.fail', async () => {
    const { result } = await run(
      [{ id: 'stop', type: 'flow.fail', config: { message: 'n is {{ trigger.n }}' } }],
      [{ from: 'start', to: 'stop' }],
    );
    expect(result).toMatchObject({
      status: 'failed',
      error: { step: 'stop', code: 'FAIL', message: 'n is 2' },
    });
  });
});

describe('runWorkflow: scheduling', () => {
  it('takes the chosen branch, skips the other and propagates the skip downstream', async () => {
    const { result } = await run(
      [
        { id: 'big', type: 'branch.if', config: { condition: '{{ trigger.n > 1 }}' } },
        transform('yes', 'y'),
        transform('no', 'n'),
        transform('afterNo', 'x'),
      ],
      [
        { from: 'start', to: 'big' },
        { from: 'big', port: 'true', to: 'yes' },
        { from: 'big', port: 'false', to: 'no' },
        { from: 'no', to: 'afterNo' },
      ],
    );
    expect(result.status).toBe('success');
    expect(result.steps.big).toMatchObject({
      status: 'success',
      output: { result: true },
      port: 'true',
    });
    expect(result.steps.yes?.status).toBe('success');
    expect(result.steps.no).toEqual({ status: 'skipped', attempts: 0, durationMs: 0 });
    expect(result.steps.afterNo?.status).toBe('skipped');
  });

  it('runs a join once at least one incoming edge is taken, after every upstream settled', async () => {
    const { result } = await run(
      [
        { id: 'check', type: 'branch.if', config: { condition: '{{ false }}' } },
        transform('viaTrue', 't'),
        http('slow', '/delay?ms=150&id=slow'),
        transform('join', { slow: '{{ steps.slow.body.id }}', t: '{{ steps.viaTrue }}' }),
      ],
      [
        { from: 'start', to: 'check' },
        { from: 'start', to: 'slow' },
        { from: 'check', port: 'true', to: 'viaTrue' },
        { from: 'viaTrue', to: 'join' },
        { from: 'slow', to: 'join' },
      ],
    );
    expect(result.steps.viaTrue?.status).toBe('skipped');
    expect(result.steps.join).toMatchObject({ status: 'success', output: { slow: 'slow' } });
  });

  it('skips a node none of whose incoming edges is taken, even when all upstream succeeded', async () => {
    const { result } = await run(
      [
        { id: 'check', type: 'branch.if', config: { condition: '{{ true }}' } },
        transform('onFalse', 1),
      ],
      [
        { from: 'start', to: 'check' },
        { from: 'check', port: 'false', to: 'onFalse' },
      ],
    );
    expect(result.status).toBe('success');
    expect(result.steps.onFalse?.status).toBe('skipped');
  });

  it('runs independent branches concurrently', async () => {
    const { result } = await run(
      [
        http('a', '/delay?ms=200&id=a&g=par'),
        http('b', '/delay?ms=200&id=b&g=par'),
        http('c', '/delay?ms=200&id=c&g=par'),
      ],
      ['a', 'b', 'c'].map((to) => ({ from: 'start', to })),
    );
    expect(result.status).toBe('success');
    expect(maxInFlight.get('par')).toBe(3);
  });

  it('routes a failure to the error port: status failed, port error, and the run goes on', async () => {
    const { result } = await run(
      [
        http('call', '/status?code=404'),
        transform('handle', {
          msg: '{{ error.message }}',
          code: '{{ error.code }}',
          step: '{{ error.step }}',
          out: '{{ steps.call.error.code }}',
        }),
        transform('onOk', 1),
      ],
      [
        { from: 'start', to: 'call' },
        { from: 'call', port: 'error', to: 'handle' },
        { from: 'call', to: 'onOk' },
      ],
    );
    const message = `GET ${baseUrl}/status returned 404`;
    expect(result.status).toBe('success');
    expect(result.error).toBeUndefined();
    expect(result.steps.call).toEqual({
      status: 'failed',
      attempts: 1,
      output: { error: { message, code: 'HTTP_STATUS' } },
      port: 'error',
      error: { code: 'HTTP_STATUS', message },
      durationMs: expect.any(Number) as unknown,
    });
    expect(result.steps.handle?.output).toEqual({
      msg: message,
      code: 'HTTP_STATUS',
      step: 'call',
      out: 'HTTP_STATUS',
    });
    expect(result.steps.onOk?.status).toBe('skipped');
  });

  it('fails the run on a failure without error port: running nodes canceled, unstarted skipped', async () => {
    const { result } = await run(
      [http('bad', '/status?code=400'), http('slow', '/delay?ms=2000&id=s'), transform('after', 1)],
      [
        { from: 'start', to: 'bad' },
        { from: 'start', to: 'slow' },
        { from: 'slow', to: 'after' },
      ],
    );
    expect(result.status).toBe('failed');
    expect(result.error).toEqual({
      step: 'bad',
      code: 'HTTP_STATUS',
      message: `GET ${baseUrl}/status returned 400`,
    });
    expect(result.steps.slow).toMatchObject({ status: 'canceled', attempts: 1 });
    expect(result.steps.after).toEqual({ status: 'skipped', attempts: 0, durationMs: 0 });
  });

  it('does not re-run completed steps on resume, and uses their outputs', async () => {
    const key = `resume-${Math.random()}`;
    const { result } = await run(
      [
        http('once', `/flaky?key=${key}&fail=0&status=500`),
        transform('next', '{{ steps.once.body.calls }}'),
      ],
      [
        { from: 'start', to: 'once' },
        { from: 'once', to: 'next' },
      ],
      {
        completedSteps: {
          once: { status: 'success', attempts: 1, output: { body: { calls: 41 } }, durationMs: 5 },
        },
      },
    );
    expect(flakyCalls.get(key)).toBeUndefined();
    expect(result.steps.once).toEqual({
      status: 'success',
      attempts: 1,
      output: { body: { calls: 41 } },
      durationMs: 5,
    });
    expect(result.steps.next?.output).toBe(41);
  });
});

describe('runWorkflow: retries, timeouts, cancellation', () => {
  it('retries a 503 and succeeds on the second attempt, announcing the retry', async () => {
    const key = `503-${Math.random()}`;
    const { result, events } = await run(
      [
        http('call', `/flaky?key=${key}&fail=1&status=503`, {
          retry: { maxAttempts: 3, backoffMs: 20, factor: 2 },
        }),
      ],
      [{ from: 'start', to: 'call' }],
    );
    expect(result.steps.call).toMatchObject({
      status: 'success',
      attempts: 2,
      output: { status: 200, body: { calls: 2 } },
    });
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'step.retrying',
        stepId: 'call',
        attempt: 2,
        delayMs: 20,
        error: { code: 'HTTP_STATUS', message: `GET ${baseUrl}/flaky returned 503` },
      }),
    );
  });

  it('waits what a 429 Retry-After says rather than the backoff', async () => {
    const key = `429-${Math.random()}`;
    const started = Date.now();
    const { result, events } = await run(
      [
        http('call', `/flaky?key=${key}&fail=1&status=429&retryAfter=1`, {
          retry: { maxAttempts: 2, backoffMs: 10 },
        }),
      ],
      [{ from: 'start', to: 'call' }],
    );
    expect(result.steps.call).toMatchObject({ status: 'success', attempts: 2 });
    expect(events.find((e) => e.type === 'step.retrying')).toMatchObject({ delayMs: 1000 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
  });

  it('backs off exponentially, capped by maxBackoffMs, and fails after maxAttempts', async () => {
    const key = `500-${Math.random()}`;
    const { result, events } = await run(
      [
        http('call', `/flaky?key=${key}&fail=9&status=500`, {
          retry: { maxAttempts: 4, backoffMs: 10, factor: 3, maxBackoffMs: 50 },
        }),
      ],
      [{ from: 'start', to: 'call' }],
    );
    expect(
      events
        .filter((e) => e.type === 'step.retrying')
        .map((e) => (e.type === 'step.retrying' ? e.delayMs : 0)),
    ).toEqual([10, 30, 50]);
    expect(result.steps.call).toMatchObject({
      status: 'failed',
      attempts: 4,
      error: { code: 'HTTP_STATUS' },
    });
    expect(flakyCalls.get(key)).toBe(4);
  });

  it('does not retry other 4xx statuses', async () => {
    const { result } = await run(
      [http('call', '/status?code=422', { retry: { maxAttempts: 3, backoffMs: 1 } })],
      [{ from: 'start', to: 'call' }],
    );
    expect(result.steps.call).toMatchObject({ status: 'failed', attempts: 1 });
  });

  it('times an attempt out (TIMEOUT, retried)', async () => {
    const { result } = await run(
      [
        http('call', '/delay?ms=3000&id=x', {
          timeoutMs: 100,
          retry: { maxAttempts: 2, backoffMs: 10 },
        }),
      ],
      [{ from: 'start', to: 'call' }],
    );
    expect(result.steps.call).toMatchObject({
      status: 'failed',
      attempts: 2,
      error: { code: 'TIMEOUT', message: 'the attempt timed out after 100 ms' },
    });
  });

  it('fails the whole run with TIMEOUT past settings.timeoutMs', async () => {
    const { result } = await run(
      [http('call', '/delay?ms=3000&id=x')],
      [{ from: 'start', to: 'call' }],
      { timeoutMs: 150 },
    );
    expect(result.status).toBe('failed');
    expect(result.error).toEqual({
      code: 'TIMEOUT',
      message: 'the run took longer than its limit of 150 ms',
    });
    expect(result.steps.call?.status).toBe('canceled');
  });

  it('cancels the run through the signal mid-run', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const { result } = await run(
      [http('call', '/delay?ms=3000&id=x'), transform('after', 1)],
      [
        { from: 'start', to: 'call' },
        { from: 'call', to: 'after' },
      ],
      { signal: controller.signal },
    );
    expect(result.status).toBe('canceled');
    expect(result.error).toEqual({ code: 'CANCELED', message: 'the run was canceled' });
    expect(result.steps.call?.status).toBe('canceled');
    expect(result.steps.after?.status).toBe('skipped');
  });

  it('lets go of a long-lived signal once each run ends', async () => {
    const shutdown = new AbortController();
    for (let i = 0; i < 3; i++) {
      const { result } = await run([transform('a', 1)], [{ from: 'start', to: 'a' }], {
        signal: shutdown.signal,
      });
      expect(result.status).toBe('success');
    }
    expect(getEventListeners(shutdown.signal, 'abort')).toHaveLength(0);
  });

  it('is canceled at once when the signal is already aborted', async () => {
    const { result } = await run([transform('a', 1)], [{ from: 'start', to: 'a' }], {
      signal: AbortSignal.abort(),
    });
    expect(result.status).toBe('canceled');
    expect(result.steps.a?.status).toBe('skipped');
  });
});

describe('runWorkflow: forEach', () => {
  it('keeps input order whatever order elements finish in, with at most `concurrency` at a time', async () => {
    const { result } = await run(
      [
        http('each', '/delay?ms={{ 200 - index * 40 }}&id={{ item }}&g=each3', {
          forEach: '{{ ["a","b","c","d","e"] }}',
          concurrency: 3,
        }),
      ],
      [{ from: 'start', to: 'each' }],
    );
    expect(result.steps.each?.status).toBe('success');
    expect((result.steps.each?.output as { body: { id: string } }[]).map((o) => o.body.id)).toEqual(
      ['a', 'b', 'c', 'd', 'e'],
    );
    expect(maxInFlight.get('each3')).toBe(3);
  });

  it('runs one element at a time by default', async () => {
    await run(
      [http('each', '/delay?ms=30&id={{ item }}&g=each1', { forEach: '{{ [1,2,3] }}' })],
      [{ from: 'start', to: 'each' }],
    );
    expect(maxInFlight.get('each1')).toBe(1);
  });

  it('treats a non-array as one element and null or missing as none', async () => {
    const { result } = await run(
      [
        { ...transform('one', '{{ item & "!" }}'), forEach: '{{ "solo" }}' },
        { ...transform('none', 1), forEach: '{{ null }}' },
        { ...transform('missing', 1), forEach: '{{ trigger.nothing }}' },
      ],
      ['one', 'none', 'missing'].map((to) => ({ from: 'start', to })),
    );
    expect(result.steps.one?.output).toEqual(['solo!']);
    expect(result.steps.none?.output).toEqual([]);
    expect(result.steps.missing?.output).toEqual([]);
  });

  it('fails the node when one element still fails after its retries', async () => {
    const { result } = await run(
      [
        {
          ...http('each', '/status?code={{ item }}'),
          forEach: '{{ [200, 500, 200] }}',
          retry: { maxAttempts: 2, backoffMs: 5 },
        },
      ],
      [{ from: 'start', to: 'each' }],
    );
    expect(result.steps.each).toMatchObject({
      status: 'failed',
      attempts: 2,
      error: { code: 'HTTP_STATUS', message: `element 1: GET ${baseUrl}/status returned 500` },
    });
  });
});

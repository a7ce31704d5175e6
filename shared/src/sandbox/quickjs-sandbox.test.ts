import { beforeAll, describe, expect, it } from 'vitest';
import type { CodeSandbox } from '../engine/host';
import { createQuickJsSandbox } from './index';
import { runner, stepErrorOf } from './sandbox-test-support';

let sandbox: CodeSandbox;
const run = runner(() => sandbox);

beforeAll(async () => {
  sandbox = await createQuickJsSandbox();
});

describe('code.js results', () => {
  it('runs the body of a function of input and returns its value', async () => {
    expect(await run('return input.x + 1', { input: { x: 41 } })).toBe(42);
    expect(
      await run('return { sum: input.rows.reduce((a, r) => a + r.n, 0) }', {
        input: { rows: [{ n: 1 }, { n: 2 }] },
      }),
    ).toEqual({ sum: 3 });
  });

  it('receives the whole expression context as plain data', async () => {
    const context = {
      trigger: { body: { id: 7 } },
      steps: { fetch: { status: 200 } },
      env: { REGION: 'eu' },
      execution: { id: 'ex-1' },
      item: { n: 3 },
      index: 2,
      error: null,
    };
    expect(
      await run(
        'return [input.trigger.body.id, input.steps.fetch.status, input.env.REGION, input.execution.id, input.item.n, input.index, input.error]',
        { input: context },
      ),
    ).toEqual([7, 200, 'eu', 'ex-1', 3, 2, null]);
  });

  it('awaits async code and returned promises (jobs are drained)', async () => {
    expect(
      await run('const v = await Promise.resolve(input.x); return v * 2', { input: { x: 21 } }),
    ).toBe(42);
    expect(await run('return Promise.resolve(1).then((v) => v + 1).then((v) => [v])')).toEqual([2]);
    expect(
      await run(
        'async function f(n) { return n === 0 ? 0 : 1 + (await f(n - 1)); } return f(100);',
      ),
    ).toBe(100);
  });

  it('returns null for undefined (documented) and drops what JSON drops', async () => {
    expect(await run('return undefined')).toBeNull();
    expect(await run('input.x = 1')).toBeNull();
    expect(await run('return { a: undefined, f() {}, b: 1 }')).toEqual({ b: 1 });
    expect(await run('return new Date(0)')).toBe('1970-01-01T00:00:00.000Z');
  });

  it('gives the code a copy of the input: the host object is never touched', async () => {
    const input = { list: [1, 2], nested: { a: 1 } };
    await run('input.list.push(3); input.nested.a = 99; delete input.list;', { input });
    expect(input).toEqual({ list: [1, 2], nested: { a: 1 } });
  });

  it('has a fast String.prototype.repeat with the native semantics', async () => {
    expect(
      await run(
        'return ["ab".repeat(3), "x".repeat(0), "y".repeat(1), String.prototype.repeat.call(12, 2), "z".repeat(2.0), "w".repeat("2"), "q".repeat.length, Object.getOwnPropertyDescriptor(String.prototype, "repeat").writable]',
      ),
    ).toEqual(['ababab', '', 'y', '1212', 'zz', 'ww', 1, true]);
    expect(await run('return "é".repeat(1000000).length')).toBe(1_000_000);
    await stepErrorOf(run('return "x".repeat(-1)'), 'CODE', /RangeError/);
    await stepErrorOf(run('return String.prototype.repeat.call(null, 2)'), 'CODE', /TypeError/);
  });
});

describe('code.js errors', () => {
  it('turns a thrown error into a retryable CODE error with its message and line', async () => {
    const error = await stepErrorOf(run('const a = 1;\nthrow new Error("boom");'), 'CODE');
    expect(error.message).toBe('Error: boom (line 2)');
    expect(error.retryable).toBe(true);
    await stepErrorOf(run('\n\nreturn null.x'), 'CODE', /^TypeError: .*\(line 3\)$/);
    await stepErrorOf(run('throw "plain text"'), 'CODE', /^plain text$/);
    await stepErrorOf(run('throw { reason: 42 }'), 'CODE', /^\{"reason":42\}$/);
    await stepErrorOf(
      run('await Promise.reject(new TypeError("late"))'),
      'CODE',
      /TypeError: late/,
    );
  });

  it('reports a syntax error as CODE, not retried', async () => {
    const error = await stepErrorOf(run('return (1'), 'CODE', /^SyntaxError: /);
    expect(error.retryable).toBe(false);
  });

  it('rejects results that are not JSON-serialisable, with a clear message', async () => {
    await stepErrorOf(
      run('return () => 1'),
      'CODE',
      /returned a function, which is not JSON-serialisable/,
    );
    await stepErrorOf(run('return 10n'), 'CODE', /returned a bigint/);
    await stepErrorOf(run('return Symbol("s")'), 'CODE', /returned a symbol/);
    await stepErrorOf(
      run('const o = {}; o.self = o; return o'),
      'CODE',
      /not JSON-serialisable: TypeError: circular/,
    );
    await stepErrorOf(run('return { n: 1n }'), 'CODE', /not JSON-serialisable/);
    const error = await stepErrorOf(
      run('return { get x() { throw new Error("getter") } }'),
      'CODE',
      /not JSON-serialisable: Error: getter/,
    );
    expect(error.retryable).toBe(false);
  });

  it('refuses invalid limits as VALIDATION errors', async () => {
    await stepErrorOf(run('return 1', { limits: { cpuMs: 0 } }), 'VALIDATION', /CPU limit/);
    await stepErrorOf(
      run('return 1', { limits: { memoryBytes: 10 } }),
      'VALIDATION',
      /memory limit/,
    );
  });
});

describe('console', () => {
  it('captures console lines with their levels through onLog', async () => {
    const lines: string[] = [];
    const result = await run(
      'console.log("hello", 1, { a: [1] }); console.info("i"); console.debug("d"); console.warn("w"); console.error(new RangeError("bad")); return "done"',
      { hooks: { onLog: (level, message) => lines.push(`${level} ${message}`) } },
    );
    expect(result).toBe('done');
    expect(lines).toEqual([
      'info hello 1 {"a":[1]}',
      'info i',
      'debug d',
      'warn w',
      'error RangeError: bad (line 1)',
    ]);
  });

  it('delivers the lines written before a failure, and caps lines and their length', async () => {
    const lines: string[] = [];
    const onLog = (_level: string, message: string) => lines.push(message);
    await stepErrorOf(
      run('console.log("before"); throw new Error("x")', { hooks: { onLog } }),
      'CODE',
    );
    expect(lines).toEqual(['before']);

    lines.length = 0;
    await run('for (let i = 0; i < 5000; i++) console.log(i); console.log("x".repeat(50000));', {
      hooks: { onLog },
    });
    expect(lines).toHaveLength(1001);
    expect(lines[1000]).toMatch(/more than 1000 log lines/);
  });

  it('keeps running when the host hook throws, and without a hook', async () => {
    const onLog = () => {
      throw new Error('host logger down');
    };
    expect(await run('console.log("x"); return 1', { hooks: { onLog } })).toBe(1);
    expect(await run('console.log("x"); return 2')).toBe(2);
  });
});

describe('isolation between calls', () => {
  it('leaves no global, prototype or builtin change for the next call', async () => {
    await run(
      'globalThis.leak = 1; Object.prototype.polluted = true; Array.prototype.push = null; JSON.parse = () => 0; console.log = null;',
    );
    expect(
      await run(
        'const a = []; a.push(1); return [typeof leak, typeof ({}).polluted, a.length, JSON.parse("[1]"), typeof console.log]',
      ),
    ).toEqual(['undefined', 'undefined', 1, [1], 'function']);
  });

  it('runs concurrent calls without mixing their inputs', async () => {
    const calls = Array.from({ length: 20 }, (_, i) =>
      run('const v = await Promise.resolve(input.i); return { v, sq: v * v }', { input: { i } }),
    );
    expect(await Promise.all(calls)).toEqual(
      Array.from({ length: 20 }, (_, i) => ({ v: i, sq: i * i })),
    );
  });
});

describe('cancellation', () => {
  it('fails with CANCELED when the signal is already aborted, without running the code', async () => {
    const controller = new AbortController();
    controller.abort();
    const lines: string[] = [];
    await stepErrorOf(
      run('console.log("ran"); return 1', {
        signal: controller.signal,
        hooks: { onLog: (_l, m) => lines.push(m) },
      }),
      'CANCELED',
    );
    expect(lines).toEqual([]);
  });

  it('interrupts running code when the signal aborts meanwhile', async () => {
    // The call is synchronous, so the abort comes from inside it: a log line the host reacts to.
    const controller = new AbortController();
    const started = Date.now();
    const error = await stepErrorOf(
      run('console.log("go"); while (true) {}', {
        signal: controller.signal,
        hooks: { onLog: () => controller.abort() },
      }),
      'CANCELED',
    );
    expect(error.retryable).toBe(false);
    expect(Date.now() - started).toBeLessThan(5_000); // long before the 10 s CPU limit
  });
});

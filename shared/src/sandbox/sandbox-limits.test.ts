import { beforeAll, describe, expect, it } from 'vitest';
import type { CodeSandbox } from '../engine/host';
import { createQuickJsSandbox } from './index';
import { runner, stepErrorOf } from './sandbox-test-support';

let sandbox: CodeSandbox;
const run = runner(() => sandbox);
const MiB = 1024 * 1024;

beforeAll(async () => {
  sandbox = await createQuickJsSandbox();
});

/** Fails unless the sandbox still answers a normal call: the host went on unharmed. */
async function expectHealthy(): Promise<void> {
  expect(await run('return input.x + 1', { input: { x: 1 } })).toBe(2);
}

describe('CPU limit', () => {
  it('stops an infinite loop with TIMEOUT (retryable, as the spec retries timeouts)', async () => {
    const started = Date.now();
    const error = await stepErrorOf(
      run('while (true) {}', { limits: { cpuMs: 300 } }),
      'TIMEOUT',
      /CPU limit of 300 ms/,
    );
    console.log(`infinite loop stopped after ${Date.now() - started} ms (limit 300 ms)`);
    expect(error.retryable).toBe(true);
    await expectHealthy();
  });

  it('cannot be caught by the code', async () => {
    await stepErrorOf(
      run('for (;;) { try { while (true) {} } catch (e) { console.log("caught", e) } }', {
        limits: { cpuMs: 200 },
      }),
      'TIMEOUT',
    );
  });

  it('covers promise jobs: an endless async loop times out', async () => {
    await stepErrorOf(run('for (;;) await null;', { limits: { cpuMs: 200 } }), 'TIMEOUT');
  });

  it('fails at once with TIMEOUT when the returned promise can never settle', async () => {
    const started = Date.now();
    await stepErrorOf(run('return new Promise(() => {})'), 'TIMEOUT', /never settles/);
    await stepErrorOf(run('await new Promise(() => {}); return 1'), 'TIMEOUT', /never settles/);
    expect(Date.now() - started).toBeLessThan(5_000); // not the 10 s CPU limit: nothing could settle it
  });

  it('uses the sandbox defaults where a call leaves a limit out', async () => {
    const strict = await createQuickJsSandbox({ defaultLimits: { cpuMs: 150 } });
    await stepErrorOf(
      strict.run(
        'while (true) {}',
        {},
        { memoryBytes: 64 * MiB } as never,
        new AbortController().signal,
      ),
      'TIMEOUT',
      /CPU limit of 150 ms/,
    );
  });
});

describe('memory limit', () => {
  // The bombs get a long CPU limit: ending in MEMORY then shows that the memory cap, not the clock, stopped them.
  const bombLimits = { cpuMs: 20_000 };

  it.each([
    ['an array of 1 MB strings', "let a = []; while (true) a.push('x'.repeat(1e6));"],
    ['one 256 MiB string', "return 'x'.repeat(2 ** 28);"],
    ['a huge array', 'return new Array(1e8).fill(1);'],
    ['typed arrays', 'let a = []; while (true) a.push(new Uint8Array(1e6));'],
    ['small objects', 'let a = []; while (true) a.push({ x: a.length, y: [1, 2, 3] });'],
    ['string doubling', "let s = 'x'; while (true) s += s + s.slice(1);"],
  ])('stops %s with MEMORY, and the host goes on', async (_name, code) => {
    const started = Date.now();
    const error = await stepErrorOf(
      run(code, { limits: bombLimits }),
      'MEMORY',
      /out of memory \(limit 64 MiB\)/,
    );
    console.log(`${_name}: MEMORY after ${Date.now() - started} ms`);
    expect(error.retryable).toBe(false);
    await expectHealthy();
  });

  it('keeps the host process RSS bounded through repeated bombs', async () => {
    const before = process.memoryUsage().rss;
    let peak = before;
    for (let i = 0; i < 4; i += 1) {
      await stepErrorOf(
        run('let a = []; while (true) a.push(new Uint8Array(4e6));', { limits: bombLimits }),
        'MEMORY',
      );
      await stepErrorOf(
        run("let a = []; while (true) a.push('y'.repeat(4e6));", { limits: bombLimits }),
        'MEMORY',
      );
      peak = Math.max(peak, process.memoryUsage().rss);
    }
    const grownMiB = (peak - before) / MiB;
    console.log(
      `RSS before ${Math.round(before / MiB)} MiB, peak ${Math.round(peak / MiB)} MiB (+${Math.round(grownMiB)} MiB) over 8 bombs`,
    );
    // Uncapped, one bomb alone grows the module towards 2 GiB (FIELD-NOTES, quickjs-emscripten #255).
    expect(grownMiB).toBeLessThan(400);
    await expectHealthy();
  });

  it('honours a smaller memory limit per call, beside the default one', async () => {
    await stepErrorOf(
      run("let a = []; while (true) a.push('x'.repeat(1e5));", {
        limits: { memoryBytes: 8 * MiB, ...bombLimits },
      }),
      'MEMORY',
      /limit 8 MiB/,
    );
    // 20 MB fits under the default 64 MiB, not under 8 MiB.
    const twentyMb = "return 'x'.repeat(20e6).length";
    expect(await run(twentyMb)).toBe(20e6);
    await stepErrorOf(run(twentyMb, { limits: { memoryBytes: 8 * MiB } }), 'MEMORY');
    await expectHealthy();
  });

  it('refuses an input too large for the memory limit before entering the VM', async () => {
    await stepErrorOf(
      run('return 1', { input: { blob: 'x'.repeat(3 * MiB) }, limits: { memoryBytes: 8 * MiB } }),
      'MEMORY',
      /input of code\.js .* too large/,
    );
    // One character per 8 bytes of limit is allowed: 4 Mi characters under the default 64 MiB.
    expect(await run('return input.blob.length', { input: { blob: 'é'.repeat(4 * MiB) } })).toBe(
      4 * MiB,
    );
    await expectHealthy();
  });

  it('lets code that catches an out-of-memory error go on with what memory is left', async () => {
    expect(await run("try { 'x'.repeat(2 ** 28) } catch (e) { return String(e) }")).toBe(
      'InternalError: out of memory',
    );
  });
});

describe('deep recursion', () => {
  it('turns a JS stack overflow into CODE, not a host crash', async () => {
    await stepErrorOf(
      run('function f(n) { return f(n + 1) + 1 } return f(0)'),
      'CODE',
      /stack overflow/,
    );
    expect(await run('function f(n) { return n === 0 ? 0 : 1 + f(n - 1) } return f(1000)')).toBe(
      1000,
    );
    await expectHealthy();
  });

  it('survives native recursion that exhausts the host stack (deeply nested JSON)', async () => {
    await stepErrorOf(
      run(
        'let o = {}; for (let i = 0; i < 1e5; i++) o = { a: o }; return JSON.stringify(o).length',
      ),
      'CODE',
      /stack overflow/,
    );
    await stepErrorOf(
      run('return JSON.parse("[".repeat(1e5) + "1" + "]".repeat(1e5))'),
      'CODE',
      /stack overflow/,
    );
    await expectHealthy();
  });
});

describe('the host goes on after every kind of failure', () => {
  it('answers normally after a bomb, a timeout, a cancel and a crash in a row', async () => {
    const controller = new AbortController();
    controller.abort();
    await stepErrorOf(
      run("let a = []; while (true) a.push('x'.repeat(1e6));", { limits: { cpuMs: 20_000 } }),
      'MEMORY',
    );
    await stepErrorOf(run('while (true) {}', { limits: { cpuMs: 100 } }), 'TIMEOUT');
    await stepErrorOf(run('return 1', { signal: controller.signal }), 'CANCELED');
    await stepErrorOf(
      run('let o = []; for (let i = 0; i < 1e5; i++) o = [o]; return JSON.stringify(o)'),
      'CODE',
    );
    const results = await Promise.all(
      [1, 2, 3].map((x) => run('return input.x * 2', { input: { x } })),
    );
    expect(results).toEqual([2, 4, 6]);
  });
});

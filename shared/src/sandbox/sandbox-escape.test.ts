import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CodeSandbox } from '../engine/host';
import { createQuickJsSandbox } from './index';
import { runner, stepErrorOf } from './sandbox-test-support';

let sandbox: CodeSandbox;
const run = runner(() => sandbox);

beforeAll(async () => {
  sandbox = await createQuickJsSandbox();
});

/** Every global a QuickJS context has: the ECMAScript built-ins, and the harness's console. */
const ALLOWED_GLOBALS = new Set(
  `Error EvalError RangeError ReferenceError SyntaxError TypeError URIError InternalError AggregateError
  Array Object Function Iterator parseInt parseFloat isNaN isFinite decodeURI decodeURIComponent encodeURI
  encodeURIComponent escape unescape Infinity NaN undefined eval Number Boolean String Math Reflect Symbol
  globalThis BigInt Date RegExp JSON Proxy Map Set WeakMap WeakSet ArrayBuffer SharedArrayBuffer
  Uint8ClampedArray Int8Array Uint8Array Int16Array Uint16Array Int32Array Uint32Array BigInt64Array
  BigUint64Array Float16Array Float32Array Float64Array DataView Promise WeakRef FinalizationRegistry
  console`.split(/\s+/),
);

describe('nothing of the host is reachable', () => {
  it('has only ECMAScript built-ins and console as globals', async () => {
    const names = (await run('return Object.getOwnPropertyNames(globalThis)')) as string[];
    expect(names.filter((name) => !ALLOWED_GLOBALS.has(name))).toEqual([]);
    expect(names).toContain('console');
  });

  it.each([
    'require',
    'process',
    'fetch',
    'XMLHttpRequest',
    'WebSocket',
    'setTimeout',
    'setInterval',
    'setImmediate',
    'WebAssembly',
    'std',
    'os',
    'module',
    'exports',
    'Buffer',
    '__filename',
  ])('has no %s', async (name) => {
    expect(
      await run(`return typeof globalThis[input.name] + ' ' + typeof ${name}`, { input: { name } }),
    ).toBe('undefined undefined');
  });

  it('cannot reach process through the Function constructor', async () => {
    await stepErrorOf(
      run("return constructor.constructor('return process')()"),
      'CODE',
      /'process' is not defined/,
    );
    await stepErrorOf(
      run("return this.constructor.constructor('return process')()"),
      'CODE',
      /'process' is not defined/,
    );
    await stepErrorOf(
      run("return (async () => {}).constructor('return require')()"),
      'CODE',
      /'require' is not defined/,
    );
  });

  it("finds only the VM's own global through Function('return this')()", async () => {
    expect(
      await run(`const g = Function('return this')();
        return [g === globalThis, typeof g.process, typeof g.require, Object.getPrototypeOf(Object.getPrototypeOf(g)) === null]`),
    ).toEqual([true, 'undefined', 'undefined', true]);
  });

  it('cannot import modules, dynamically or statically', async () => {
    await stepErrorOf(run("return await import('fs')"), 'CODE', /could not load module 'fs'/);
    await stepErrorOf(
      run("return await import('node:child_process')"),
      'CODE',
      /could not load module/,
    );
    await stepErrorOf(run("import fs from 'fs'; return 1"), 'CODE', /SyntaxError/);
  });

  it('cannot reach the host through stack traces or errors', async () => {
    const stack = (await run('try { null.x } catch (e) { return e.stack }')) as string;
    expect(stack).toMatch(/code\.js/);
    expect(stack).not.toMatch(/node_modules|\/work\/|file:/);
  });
});

describe('only plain data comes back', () => {
  afterEach(() => {
    // Belt and braces: a polluted prototype would leak into every later test of this file.
    delete (Object.prototype as Record<string, unknown>)['polluted'];
  });

  it('returns __proto__ keys as own data, never as a prototype', async () => {
    const result = (await run(
      `const o = JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}');
       return o;`,
    )) as Record<string, unknown>;
    expect(Object.prototype.hasOwnProperty.call(result, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect((result as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('returns copies: objects built with odd prototypes or getters come back as data', async () => {
    const result = await run(`
      class Evil { get secret() { return 'computed'; } toString() { return 'x'; } }
      const proxy = new Proxy({}, { ownKeys: () => ['a'], getOwnPropertyDescriptor: () => ({ value: 1, enumerable: true, configurable: true }), get: () => 'trap' });
      return { evil: new Evil(), proxy, fn: Object.assign(() => 1, { a: 1 }), arr: Object.setPrototypeOf([1], null) };
    `);
    expect(result).toEqual({ evil: {}, proxy: { a: 'trap' }, arr: [1] });
    expect(Object.getPrototypeOf((result as { evil: object }).evil)).toBe(Object.prototype);
  });

  it('refuses a huge output with a clear error instead of copying it out', async () => {
    await stepErrorOf(
      run('return "x".repeat(11 * 1024 * 1024)'),
      'CODE',
      /is 11534338 characters of JSON, over the limit of 10485760/,
    );
    // 100 MB cannot even be built under the 64 MiB memory limit.
    await stepErrorOf(run('return "x".repeat(100 * 1024 * 1024)'), 'MEMORY');
    expect(await run('return "x".repeat(1024 * 1024).length')).toBe(1024 * 1024);
  });

  it('cannot forge a result by tampering with JSON or Promise', async () => {
    expect(
      await run('JSON.stringify = () => "R{\\"forged\\":true}"; return { real: true }'),
    ).toEqual({
      real: true,
    });
    expect(await run('Promise.prototype.then = function () { return 1 }; return await 5')).toBe(5);
    // The harness holds its own String.prototype.slice: replacing it changes nothing.
    expect(
      await run(
        'Object.defineProperty(String.prototype, "slice", { value: () => "R1" }); return "x".repeat(3)',
      ),
    ).toBe('xxx');
  });
});

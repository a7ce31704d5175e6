/**
 * JavaScript that runs INSIDE the QuickJS context, before the user's code.
 *
 * Why it exists: only strings may cross the VM boundary. The harness parses
 * the input JSON, calls the user's function, awaits it, and hands back one
 * tagged string: `R` + the result's JSON, `E` + a thrown error's description,
 * `S` + why the result is unusable (not JSON, too big), `M` + an out-of-memory
 * description. It also installs `console`, which reports through the one host
 * function it receives (`log(level, text)`), capped in lines and length.
 *
 * It keeps its own references to JSON, Promise and friends, taken before the
 * user's code runs, so code that replaces globals only breaks its own result.
 */
export const HARNESS_FILENAME = 'maestro-harness.js';

/** The file name in stack traces of the user's code, so errors can say "line N". */
export const CODE_FILENAME = 'code.js';

export const RESULT_TAG = { result: 'R', thrown: 'E', unusable: 'S', memory: 'M' } as const;

export const HARNESS_SOURCE = String.raw`(function (hostLog, maxOutput, maxLines, maxLineChars) {
  'use strict';
  const parse = JSON.parse, stringify = JSON.stringify, toText = String;
  const ErrorType = Error, InternalErrorType = globalThis.InternalError;
  const resolve = Promise.resolve.bind(Promise), then = Promise.prototype.then, apply = Reflect.apply;
  const floor = Math.floor;
  let lines = 0;

  function clip(text, max) {
    return text.length > max ? text.slice(0, max) + '… [' + (text.length - max) + ' more characters]' : text;
  }
  function isOutOfMemory(error) {
    return error instanceof InternalErrorType && error.message === 'out of memory';
  }
  function formatArg(value) {
    if (typeof value === 'string') return value;
    if (value instanceof ErrorType) return describe(value);
    try {
      const json = stringify(value);
      return json === undefined ? toText(value) : json;
    } catch (error) {
      if (isOutOfMemory(error)) throw error;
      try { return toText(value); } catch { return '[unprintable]'; }
    }
  }
  function emit(level, args) {
    if (lines > maxLines) return;
    lines += 1;
    if (lines > maxLines) return hostLog('warn', 'code.js wrote more than ' + maxLines + ' log lines; the rest are dropped');
    let text = '';
    for (let i = 0; i < args.length; i += 1) text += (i === 0 ? '' : ' ') + formatArg(args[i]);
    hostLog(level, clip(text, maxLineChars));
  }
  // QuickJS's repeat appends one copy at a time (~70 ms per MB); doubling makes it
  // ~100x faster, so a repeat-based memory bomb reaches the memory cap in milliseconds.
  const nativeRepeat = String.prototype.repeat, nativeSlice = String.prototype.slice;
  Object.defineProperty(String.prototype, 'repeat', {
    configurable: true, writable: true, enumerable: false,
    value: function repeat(count) {
      if (typeof count !== 'number' || !(count >= 2 && count <= 0x3fffffff) || count % 1 !== 0) {
        return apply(nativeRepeat, this, [count]); // the spec's coercions and RangeErrors
      }
      let unit = apply(nativeRepeat, this, [1]), result = '';
      for (let n = count; n > 0; n = floor(n / 2)) {
        if (n % 2 === 1) result += unit;
        if (n > 1) unit += unit;
      }
      // Concatenation builds a rope; a flat copy keeps repeat's memory real, as natively.
      return apply(nativeSlice, result, [0]);
    },
  });
  globalThis.console = {
    log: (...args) => emit('info', args),
    info: (...args) => emit('info', args),
    debug: (...args) => emit('debug', args),
    warn: (...args) => emit('warn', args),
    error: (...args) => emit('error', args),
  };

  function lineOf(stack) {
    const match = /code\.js:(\d+)/.exec(typeof stack === 'string' ? stack : '');
    return match ? ' (line ' + match[1] + ')' : '';
  }
  function describe(error) {
    try {
      if (error instanceof ErrorType) return clip(toText(error.name) + ': ' + toText(error.message) + lineOf(error.stack), 2000);
      if (typeof error === 'string') return clip(error, 2000);
      const json = stringify(error);
      return clip(json === undefined ? toText(error) : json, 2000);
    } catch (inner) {
      if (isOutOfMemory(inner)) throw inner;
      return 'a value that could not be described';
    }
  }
  function thrown(error) {
    if (isOutOfMemory(error)) return 'M' + describe(error);
    return 'E' + describe(error);
  }
  function unusable(why) {
    return 'S' + why;
  }
  function toTagged(value) {
    if (value === undefined) return 'Rnull';
    const kind = typeof value;
    if (kind === 'function' || kind === 'symbol' || kind === 'bigint') {
      return unusable('code.js returned a ' + kind + ', which is not JSON-serialisable');
    }
    let json;
    try {
      json = stringify(value);
    } catch (error) {
      if (isOutOfMemory(error)) return thrown(error);
      return unusable('the result of code.js is not JSON-serialisable: ' + describe(error));
    }
    if (typeof json !== 'string') return unusable('the result of code.js has no JSON form');
    if (json.length > maxOutput) {
      return unusable('the result of code.js is ' + json.length + ' characters of JSON, over the limit of ' + maxOutput);
    }
    return 'R' + json;
  }

  return function call(fn, inputJson) {
    let value;
    try {
      if (typeof fn !== 'function') return unusable('code.js must be the body of a function');
      value = fn(parse(inputJson));
    } catch (error) {
      return thrown(error);
    }
    if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return toTagged(value);
    let isThenable;
    try {
      isThenable = typeof value.then === 'function';
    } catch (error) {
      return thrown(error);
    }
    if (!isThenable) return toTagged(value);
    return apply(then, resolve(value), [toTagged, thrown]);
  };
})`;

/** Wraps the body so that line N of the user's code is line N of `code.js`; `await` needs an async function. */
export function wrapUserCode(code: string): string {
  const isAsync = /\bawait\b/.test(code);
  return `(${isAsync ? 'async ' : ''}function (input) {${code}\n})`;
}

import type { QuickJSHandle } from 'quickjs-emscripten-core';
import type { VmScope } from './vm-scope';

/**
 * QuickJS's String.prototype.repeat appends one copy at a time (~15-70 ms per
 * MB here); doubling is ~100x faster, so a repeat-based memory bomb reaches the
 * memory cap in milliseconds. Concatenation builds a rope, so the result is
 * flattened with slice: its memory is as real as the native one's. Edge cases
 * (coercions, RangeErrors) go to the native method.
 */
const FAST_REPEAT_SOURCE = `(function (nativeRepeat, slice) {
  'use strict';
  const apply = Reflect.apply, floor = Math.floor;
  return function repeat(count) {
    if (typeof count !== 'number' || !(count >= 2 && count <= 0x3fffffff) || count % 1 !== 0) {
      return apply(nativeRepeat, this, [count]);
    }
    let unit = apply(nativeRepeat, this, [1]), result = '';
    for (let n = count; n > 0; n = floor(n / 2)) {
      if (n % 2 === 1) result += unit;
      if (n > 1) unit += unit;
    }
    return apply(slice, result, [0]);
  };
})`;

/**
 * Installs the fast repeat lazily, so calls that never repeat a string do not
 * pay for compiling it: `repeat` starts as an accessor whose first read (or
 * write) replaces it with an ordinary data property, as the native one is.
 */
export function installFastRepeat(scope: VmScope): void {
  const { context } = scope;
  const settle = (value: QuickJSHandle) => {
    const descriptor = scope.keep(context.newObject());
    context.setProp(descriptor, 'value', value);
    for (const flag of ['writable', 'configurable'])
      context.setProp(descriptor, flag, context.true);
    const key = scope.keep(context.newString('repeat'));
    scope.call(scope.defineProperty, context.undefined, scope.stringPrototype, key, descriptor);
  };
  context.defineProp(scope.stringPrototype, 'repeat', {
    configurable: true,
    enumerable: false,
    get: () => {
      // Thrown handles go back into the VM as the getter's exception (quickjs-emscripten frees them).
      const factory = context.evalCode(FAST_REPEAT_SOURCE, 'repeat.js');
      if (factory.error) throw factory.error;
      const made = context.callFunction(
        scope.keep(factory.value),
        context.undefined,
        scope.stringRepeat,
        scope.stringSlice,
      );
      if (made.error) throw made.error;
      settle(made.value);
      return made.value; // freed by quickjs-emscripten once returned
    },
    set: (value: QuickJSHandle) => settle(value),
  });
}

import type { QuickJSContext, QuickJSHandle, VmCallResult } from 'quickjs-emscripten-core';
import { MAX_OUTPUT_CHARS } from './sandbox-limits';

/** What a value thrown inside the VM turned out to be. */
export type ThrownValue = { kind: 'memory' } | { kind: 'error'; message: string };

/** What the code's result turned into on its way out. */
export type JsonOutcome =
  { kind: 'json'; text: string } | { kind: 'unusable'; message: string } | ThrownValue;

const MAX_MESSAGE_CHARS = 2000;

/** The message for a thrown value that even JSON cannot describe. */
export const UNDESCRIBABLE = 'a value that could not be described';

/**
 * The handles one call holds in its context, and the built-ins it uses, taken
 * before the user's code runs: code that replaces JSON or String.prototype
 * later changes nothing here. Everything that leaves the VM leaves as a string
 * or a number read from a handle; no host object ever enters it.
 *
 * Why host-side rather than a JS harness inside the VM: compiling a harness in
 * every fresh context cost more than the rest of the call together.
 */
export class VmScope {
  private readonly handles: QuickJSHandle[] = [];
  readonly parse: QuickJSHandle;
  readonly stringify: QuickJSHandle;
  readonly promise: QuickJSHandle;
  readonly promiseResolve: QuickJSHandle;
  readonly stringSlice: QuickJSHandle;
  readonly stringRepeat: QuickJSHandle;
  readonly stringPrototype: QuickJSHandle;
  readonly defineProperty: QuickJSHandle;
  private readonly reflectGet: QuickJSHandle;

  constructor(readonly context: QuickJSContext) {
    const global = context.global;
    const json = this.keep(context.getProp(global, 'JSON'));
    this.parse = this.keep(context.getProp(json, 'parse'));
    this.stringify = this.keep(context.getProp(json, 'stringify'));
    this.promise = this.keep(context.getProp(global, 'Promise'));
    this.promiseResolve = this.keep(context.getProp(this.promise, 'resolve'));
    const string = this.keep(context.getProp(global, 'String'));
    this.stringPrototype = this.keep(context.getProp(string, 'prototype'));
    this.stringSlice = this.keep(context.getProp(this.stringPrototype, 'slice'));
    this.stringRepeat = this.keep(context.getProp(this.stringPrototype, 'repeat'));
    const reflect = this.keep(context.getProp(global, 'Reflect'));
    this.reflectGet = this.keep(context.getProp(reflect, 'get'));
    const object = this.keep(context.getProp(global, 'Object'));
    this.defineProperty = this.keep(context.getProp(object, 'defineProperty'));
  }

  keep<T extends QuickJSHandle>(handle: T): T {
    this.handles.push(handle);
    return handle;
  }

  /** A call result whose value, if any, this scope will free. */
  call(
    fn: QuickJSHandle,
    thisArg: QuickJSHandle,
    ...args: QuickJSHandle[]
  ): VmCallResult<QuickJSHandle> {
    const result = this.context.callFunction(fn, thisArg, ...args);
    if (result.error) this.keep(result.error);
    else this.keep(result.value);
    return result;
  }

  dispose(): void {
    for (const handle of this.handles.reverse()) if (handle.alive) handle.dispose();
    this.handles.length = 0;
  }

  /** After a host-level failure nothing may be freed (see runVmCall). */
  abandon(): void {
    this.handles.length = 0;
  }

  /** A string handle as host text, cut inside the VM first when it is long. */
  text(handle: QuickJSHandle, max: number): string {
    const length = this.lengthOf(handle);
    if (length <= max) return this.context.getString(handle);
    const head = this.call(
      this.stringSlice,
      handle,
      this.keep(this.context.newNumber(0)),
      this.keep(this.context.newNumber(max)),
    );
    const cut = head.error ? '' : this.context.getString(head.value);
    return `${cut}… [${length - max} more characters]`;
  }

  /** The code's result as JSON text, or why it cannot be one. */
  toJson(value: QuickJSHandle): JsonOutcome {
    const type = this.context.typeof(value);
    if (type === 'undefined') return { kind: 'json', text: 'null' };
    if (type === 'function' || type === 'symbol' || type === 'bigint') {
      return {
        kind: 'unusable',
        message: `code.js returned a ${type}, which is not JSON-serialisable`,
      };
    }
    const json = this.call(this.stringify, this.context.undefined, value);
    if (json.error) {
      const thrown = this.describe(json.error);
      if (thrown.kind === 'memory') return thrown;
      return {
        kind: 'unusable',
        message: `the result of code.js is not JSON-serialisable: ${thrown.message}`,
      };
    }
    if (this.context.typeof(json.value) !== 'string') {
      return { kind: 'unusable', message: 'the result of code.js has no JSON form' };
    }
    const length = this.lengthOf(json.value);
    if (length > MAX_OUTPUT_CHARS) {
      return {
        kind: 'unusable',
        message: `the result of code.js is ${length} characters of JSON, over the limit of ${MAX_OUTPUT_CHARS}`,
      };
    }
    const text = this.context.getString(json.value);
    // JSON text is never empty: an empty read is the UTF-8 copy failing to allocate.
    return text === '' ? { kind: 'memory' } : { kind: 'json', text };
  }

  /** A thrown value as a message: `Name: message (line N)` for errors, JSON or text otherwise. */
  describe(error: QuickJSHandle): ThrownValue {
    const context = this.context;
    const type = context.typeof(error);
    if (type === 'string') return { kind: 'error', message: this.text(error, MAX_MESSAGE_CHARS) };
    if (type !== 'object') return { kind: 'error', message: String(context.dump(error)) };
    const message = this.prop(error, 'message');
    if (message !== undefined && context.typeof(message) === 'string') {
      const name = this.prop(error, 'name');
      const nameText =
        name && context.typeof(name) === 'string' ? context.getString(name) : 'Error';
      const messageText = this.text(message, MAX_MESSAGE_CHARS);
      if (nameText === 'InternalError' && messageText === 'out of memory')
        return { kind: 'memory' };
      return { kind: 'error', message: `${nameText}: ${messageText}${this.lineOf(error)}` };
    }
    const json = this.call(this.stringify, context.undefined, error);
    if (!json.error && context.typeof(json.value) === 'string') {
      return { kind: 'error', message: this.text(json.value, MAX_MESSAGE_CHARS) };
    }
    return { kind: 'error', message: UNDESCRIBABLE };
  }

  private lineOf(error: QuickJSHandle): string {
    const stack = this.prop(error, 'stack');
    if (!stack || this.context.typeof(stack) !== 'string') return '';
    const line = /code\.js:(\d+)/.exec(this.text(stack, 4000));
    return line ? ` (line ${line[1]})` : '';
  }

  /** A property read that may run the code's getters: a throwing getter reads as absent. */
  private prop(object: QuickJSHandle, key: string): QuickJSHandle | undefined {
    // Reflect.get through callFunction, not getProp: getProp does not report a throwing getter.
    const result = this.call(
      this.reflectGet,
      this.context.undefined,
      object,
      this.keep(this.context.newString(key)),
    );
    return result.error ? undefined : result.value;
  }

  private lengthOf(handle: QuickJSHandle): number {
    const length = this.keep(this.context.getProp(handle, 'length'));
    return this.context.getNumber(length);
  }
}

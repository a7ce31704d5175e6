import type { QuickJSHandle } from 'quickjs-emscripten-core';
import type { SandboxHooks } from '../engine/host';
import { MAX_LOG_LINE_CHARS, MAX_LOG_LINES } from './sandbox-limits';
import type { VmScope } from './vm-scope';

type LogLevel = Parameters<NonNullable<SandboxHooks['onLog']>>[0];

const METHODS: [name: string, level: LogLevel][] = [
  ['log', 'info'],
  ['info', 'info'],
  ['debug', 'debug'],
  ['warn', 'warn'],
  ['error', 'error'],
];

/**
 * Installs `console` as host functions: each line is formatted here (strings
 * as they are, errors as `Name: message`, other values as JSON) and passed to
 * `onLog`, at most MAX_LOG_LINES lines of MAX_LOG_LINE_CHARS characters.
 */
export function installConsole(scope: VmScope, hooks: SandboxHooks | undefined): void {
  const { context } = scope;
  const console = scope.keep(context.newObject());
  let lines = 0;
  for (const [name, level] of METHODS) {
    const method = context.newFunction(name, (...args: QuickJSHandle[]) => {
      lines += 1;
      if (!hooks?.onLog || lines > MAX_LOG_LINES + 1) return;
      if (lines === MAX_LOG_LINES + 1) {
        report(
          hooks,
          'warn',
          `code.js wrote more than ${MAX_LOG_LINES} log lines; the rest are dropped`,
        );
      } else {
        report(hooks, level, clip(args.map((arg) => formatArg(scope, arg)).join(' ')));
      }
    });
    context.setProp(console, name, scope.keep(method));
  }
  context.setProp(context.global, 'console', console);
}

function formatArg(scope: VmScope, arg: QuickJSHandle): string {
  const { context } = scope;
  const type = context.typeof(arg);
  if (type === 'string') return scope.text(arg, MAX_LOG_LINE_CHARS);
  if (type === 'object') {
    const thrown = scope.describe(arg);
    return thrown.kind === 'error' ? thrown.message : '[out of memory]';
  }
  if (type === 'function') return '[function]';
  return String(context.dump(arg));
}

function clip(text: string): string {
  return text.length > MAX_LOG_LINE_CHARS
    ? `${text.slice(0, MAX_LOG_LINE_CHARS)}… [${text.length - MAX_LOG_LINE_CHARS} more characters]`
    : text;
}

function report(hooks: SandboxHooks, level: LogLevel, message: string): void {
  try {
    hooks.onLog?.(level, message);
  } catch {
    // A host logging failure must not change the code's outcome.
  }
}

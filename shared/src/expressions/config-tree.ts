import type { ExpressionContext } from './context';
import { compileTemplate, hasTemplate, TemplateParseError } from './template';

/** A JSON value with its templates compiled once; `evaluate` builds a fresh value per call. */
export interface ConfigEvaluator {
  /** True when the value holds no template: `evaluate` then returns it as is. */
  readonly isStatic: boolean;
  evaluate(context: ExpressionContext): Promise<unknown>;
}

export interface CompileTreeOptions {
  /** Top-level keys whose strings are kept literally (for instance `code.js` `code`). */
  literalKeys?: readonly string[];
}

/** One template that did not parse, with the path of its string inside the tree. */
export interface TreeParseError {
  path: (string | number)[];
  message: string;
}

type Evaluate = (context: ExpressionContext) => Promise<unknown>;

/**
 * Compiles every template in a JSON value (strings at any depth; keys are not
 * evaluated). Throws the first parse error; `findTemplateErrors` lists them all.
 * @example await compileConfigTree({ id: '{{ trigger.id }}' }).evaluate(ctx) // { id: 42 }
 */
export function compileConfigTree(
  value: unknown,
  options: CompileTreeOptions = {},
): ConfigEvaluator {
  const literal = new Set(options.literalKeys ?? []);
  const evaluate = compileNode(value, (key, depth) => depth === 0 && literal.has(key), 0);
  if (evaluate === undefined) return { isStatic: true, evaluate: () => Promise.resolve(value) };
  return { isStatic: false, evaluate };
}

/** Every template parse error in a JSON value, with its path (for the validator). */
export function findTemplateErrors(
  value: unknown,
  options: CompileTreeOptions = {},
): TreeParseError[] {
  const errors: TreeParseError[] = [];
  const literal = new Set(options.literalKeys ?? []);
  const visit = (node: unknown, path: (string | number)[]): void => {
    if (typeof node === 'string') {
      if (!hasTemplate(node)) return;
      try {
        compileTemplate(node);
      } catch (error) {
        const message = error instanceof TemplateParseError ? error.message : String(error);
        errors.push({ path, message: `template does not parse: ${message}` });
      }
    } else if (Array.isArray(node)) {
      node.forEach((child, index) => visit(child, [...path, index]));
    } else if (isPlainObject(node)) {
      for (const [key, child] of Object.entries(node)) {
        if (path.length === 0 && literal.has(key)) continue;
        visit(child, [...path, key]);
      }
    }
  };
  visit(value, []);
  return errors;
}

/** Returns undefined for a subtree without templates, which is then shared, never rebuilt. */
function compileNode(
  node: unknown,
  isLiteralKey: (key: string, depth: number) => boolean,
  depth: number,
): Evaluate | undefined {
  if (typeof node === 'string') {
    if (!hasTemplate(node)) return undefined;
    const template = compileTemplate(node);
    return template.kind === 'literal' ? undefined : (context) => template.evaluate(context);
  }
  if (Array.isArray(node)) return compileArray(node, isLiteralKey, depth);
  if (isPlainObject(node)) return compileObject(node, isLiteralKey, depth);
  return undefined;
}

function compileArray(
  node: unknown[],
  isLiteralKey: (key: string, depth: number) => boolean,
  depth: number,
): Evaluate | undefined {
  const children = node.map((child) => compileNode(child, isLiteralKey, depth + 1));
  if (children.every((child) => child === undefined)) return undefined;
  return async (context) => {
    const out = new Array<unknown>(node.length);
    for (let i = 0; i < node.length; i++) {
      const child = children[i];
      // A missing value inside a list reads as null (JSON has no "undefined").
      out[i] = child ? ((await child(context)) ?? null) : node[i];
    }
    return out;
  };
}

function compileObject(
  node: Record<string, unknown>,
  isLiteralKey: (key: string, depth: number) => boolean,
  depth: number,
): Evaluate | undefined {
  const entries = Object.entries(node).map(
    ([key, child]) =>
      [
        key,
        child,
        isLiteralKey(key, depth) ? undefined : compileNode(child, isLiteralKey, depth + 1),
      ] as const,
  );
  if (entries.every(([, , evaluate]) => evaluate === undefined)) return undefined;
  return async (context) => {
    const out: Record<string, unknown> = {};
    for (const [key, child, evaluate] of entries) {
      const value = evaluate ? await evaluate(context) : child;
      // A missing value leaves the key out, so that defaults apply.
      if (value !== undefined) defineOwn(out, key, value);
    }
    return out;
  };
}

/** Assigns without ever touching a prototype (a key may be "__proto__"). */
export function defineOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    target[key] = value;
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

import jsonata from 'jsonata';
import { StepError } from '../engine/step-error';
import type { ExpressionContext } from './context';
import { GuardedRegExp } from './guarded-regexp';
import { dropLambdas, isJsonataFunction, mayYieldLambdas } from './jsonata-values';

/**
 * Bounds on one JSONata evaluation, so that a workflow cannot hang its host:
 * jsonata checks time and depth between evaluation steps (`[1..n]` is capped
 * at 10^7 by jsonata itself); regexes that backtrack catastrophically are
 * refused before they run (GuardedRegExp), as no check happens inside a match.
 */
const JSONATA_LIMITS = {
  timeout: 1000,
  stack: 250,
  // jsonata only ever calls it with `new`; its typing asks for RegExp's call signature too.
  RegexEngine: GuardedRegExp as unknown as RegExpConstructor,
};

/**
 * A template that does not parse: an EXPRESSION StepError (so that templates
 * fail one way only), with `offset`, where the bad template starts.
 * @example try { compileTemplate('{{ (') } catch (e) { if (e instanceof TemplateParseError) e.offset }
 */
export class TemplateParseError extends StepError {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super('EXPRESSION', message, { retryable: false });
    this.name = 'TemplateParseError';
    this.offset = offset;
  }
}

/** A string with its `{{ }}` templates compiled once. */
export interface CompiledTemplate {
  readonly source: string;
  /** `literal`: no template; `single`: exactly one template (raw typed value); `text`: interpolation. */
  readonly kind: 'literal' | 'single' | 'text';
  /**
   * Evaluates against the expression context, or against any other root for
   * templates over data (dedupeKey over the trigger output, poll `key` over an item).
   */
  evaluate(context: ExpressionContext | object): Promise<unknown>;
}

interface Segment {
  text: string;
  expression?: CompiledExpression;
}

/** A parsed JSONata expression, with a shortcut when it is a plain path (`steps.fetch.body.id`). */
interface CompiledExpression {
  source: string;
  jsonata: jsonata.Expression;
  path?: readonly string[];
  /** The expression defines lambdas: its results are cleaned of them. */
  yieldsLambdas: boolean;
}

/** A dotted path of plain names; JSONata keywords and literals are not names. */
const PLAIN_PATH = /^\s*[A-Za-z_][A-Za-z0-9_]*(\s*\.\s*[A-Za-z_][A-Za-z0-9_]*)*\s*$/;
const NOT_NAMES = new Set(['and', 'or', 'in', 'true', 'false', 'null']);
/** The path shortcut cannot answer (an array on the way): ask JSONata. */
const ASK_JSONATA = Symbol('ask jsonata');

/** True when `value` holds at least one `{{`. Cheap pre-check before compiling. */
export function hasTemplate(value: string): boolean {
  return value.includes('{{');
}

/**
 * Compiles every `{{ }}` of a string once. Throws TemplateParseError with a
 * plain message when a template is unclosed or its JSONata does not parse.
 * @example await compileTemplate('{{ trigger.total * 2 }}').evaluate(ctx) // 300
 */
export function compileTemplate(source: string): CompiledTemplate {
  const segments = splitTemplates(source);
  const expressions = segments.filter((s) => s.expression !== undefined);
  if (expressions.length === 0) return literalTemplate(source);
  const only = expressions[0];
  if (expressions.length === 1 && only?.expression && segments.every((s) => s.text.trim() === '')) {
    return singleTemplate(source, only.expression);
  }
  return textTemplate(source, segments);
}

function literalTemplate(source: string): CompiledTemplate {
  return { source, kind: 'literal', evaluate: () => Promise.resolve(source) };
}

function singleTemplate(source: string, expression: CompiledExpression): CompiledTemplate {
  return { source, kind: 'single', evaluate: (context) => evaluateExpression(expression, context) };
}

function textTemplate(source: string, segments: Segment[]): CompiledTemplate {
  return {
    source,
    kind: 'text',
    async evaluate(context) {
      let out = '';
      for (const segment of segments) {
        out += segment.text;
        if (segment.expression) {
          out += toText(await evaluateExpression(segment.expression, context));
        }
      }
      return out;
    },
  };
}

/** Interpolation rules: strings as they are, JSON for the rest, missing as "". */
export function toText(value: unknown): string {
  if (value === undefined || typeof value === 'function') return '';
  if (typeof value === 'string') return value;
  return JSON.stringify(value) ?? '';
}

function evaluateExpression(
  expression: CompiledExpression,
  context: ExpressionContext | object,
): Promise<unknown> {
  if (expression.path) {
    const value = followPath(context, expression.path);
    if (value !== ASK_JSONATA) return Promise.resolve(value);
  }
  return evaluateWithJsonata(expression, context);
}

async function evaluateWithJsonata(
  expression: CompiledExpression,
  context: ExpressionContext | object,
): Promise<unknown> {
  try {
    const value = normalize(await expression.jsonata.evaluate(context));
    return expression.yieldsLambdas ? dropLambdas(value) : value;
  } catch (error) {
    throw new StepError(
      'EXPRESSION',
      `{{ ${expression.source.trim()} }}: ${jsonataMessage(error)}`,
      {
        retryable: false,
      },
    );
  }
}

/**
 * JSONata's answer for a plain path over objects, without JSONata (its
 * evaluation costs ~15 µs, this ~0.1): own properties only, missing on a
 * non-object. Arrays map and flatten in JSONata, so they go to JSONata.
 */
function followPath(root: unknown, path: readonly string[]): unknown {
  let current = root;
  for (const name of path) {
    if (Array.isArray(current)) return ASK_JSONATA;
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, name))
      return undefined;
    current = (current as Record<string, unknown>)[name];
  }
  return Array.isArray(current) ? ASK_JSONATA : normalize(current);
}

function plainPath(source: string): string[] | undefined {
  if (!PLAIN_PATH.test(source)) return undefined;
  const path = source.split('.').map((name) => name.trim());
  return path.some((name) => NOT_NAMES.has(name)) ? undefined : path;
}

/**
 * JSONata functions (lambdas) are not data: they read as missing. A result
 * sequence is an array flagged `sequence: true`: handed on as a plain array
 * (flags nested deeper stay; JSON never shows them, and walking every
 * result would cost as much as the evaluation).
 */
function normalize(value: unknown): unknown {
  if (isJsonataFunction(value)) return undefined;
  if (Array.isArray(value) && Object.hasOwn(value, 'sequence'))
    return Array.from(value as unknown[]);
  return value;
}

function jsonataMessage(error: unknown): string {
  if (error && typeof error === 'object' && 'message' in error) {
    const message = String((error as { message: unknown }).message);
    const position = (error as { position?: unknown }).position;
    return typeof position === 'number' && position > 0
      ? `${message} (at character ${position})`
      : message;
  }
  return String(error);
}

/**
 * Splits a string into literal text and templates. A template ends at the
 * first `}}` after which its JSONata parses, so that `{{ {"a": {"b": 1}} }}`
 * (object constructors, strings holding "}}") works.
 */
function splitTemplates(source: string): Segment[] {
  const segments: Segment[] = [];
  let text = '';
  let position = 0;
  while (position < source.length) {
    const open = source.indexOf('{{', position);
    if (open < 0) break;
    text += source.slice(position, open);
    const { expression, end } = compileAt(source, open);
    segments.push({ text, expression });
    text = '';
    position = end;
  }
  text += source.slice(position);
  if (text !== '' || segments.length === 0) segments.push({ text });
  return segments;
}

function compileAt(source: string, open: number): { expression: CompiledExpression; end: number } {
  let close = source.indexOf('}}', open + 2);
  if (close < 0) throw new TemplateParseError('"{{" is not closed by "}}"', open);
  let firstError: unknown;
  while (close >= 0) {
    const expressionSource = source.slice(open + 2, close);
    if (expressionSource.trim() === '')
      throw new TemplateParseError('empty template "{{ }}"', open);
    try {
      const parsed = jsonata(expressionSource, JSONATA_LIMITS);
      return {
        expression: {
          source: expressionSource,
          jsonata: parsed,
          path: plainPath(expressionSource),
          yieldsLambdas: mayYieldLambdas(parsed.ast()),
        },
        end: close + 2,
      };
    } catch (error) {
      firstError ??= error;
      close = source.indexOf('}}', close + 1);
    }
  }
  throw new TemplateParseError(jsonataMessage(firstError), open);
}

/** What every redacted secret reads as. */
export const REDACTED = '[redacted]';

/**
 * Replaces secret values wherever they occur (inside larger strings, object
 * keys and nested data included) with "[redacted]". Copies only what changes,
 * and costs nothing while no secret is known.
 */
export interface Redactor {
  add(values: readonly string[]): void;
  redact<T>(value: T): T;
  redactText(text: string): string;
}

/** @example createRedactor(['s3cr3t']).redactText('token=s3cr3t') // 'token=[redacted]' */
export function createRedactor(initial: readonly string[] = []): Redactor {
  const secrets = new Set<string>();
  let pattern: RegExp | undefined;

  const redactText = (text: string): string => {
    if (!pattern || text.length === 0) return text;
    pattern.lastIndex = 0;
    return pattern.test(text) ? text.replace(pattern, REDACTED) : text;
  };

  const redactValue = (value: unknown, depth: number): unknown => {
    if (typeof value === 'string') return redactText(value);
    if (typeof value !== 'object' || value === null || depth > 200) return value;
    if (Array.isArray(value)) return redactArray(value, depth);
    return redactObject(value as Record<string, unknown>, depth);
  };

  const redactArray = (value: unknown[], depth: number): unknown[] => {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const next = redactValue(value[i], depth + 1);
      if (next !== value[i]) (copy ??= value.slice())[i] = next;
    }
    return copy ?? value;
  };

  const redactObject = (value: Record<string, unknown>, depth: number): Record<string, unknown> => {
    let changed = false;
    const entries = Object.entries(value).map(([key, child]) => {
      const nextKey = redactText(key);
      const next = redactValue(child, depth + 1);
      if (nextKey !== key || next !== child) changed = true;
      return [nextKey, next] as const;
    });
    if (!changed) return value;
    const copy: Record<string, unknown> =
      Object.getPrototypeOf(value) === null ? Object.create(null) : {};
    for (const [key, child] of entries)
      Object.defineProperty(copy, key, {
        value: child,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    return copy;
  };

  const redactor: Redactor = {
    add(values) {
      let grew = false;
      for (const value of values) {
        if (typeof value === 'string' && value !== '' && !secrets.has(value)) {
          secrets.add(value);
          grew = true;
        }
      }
      if (!grew) return;
      // Longest first, so that a secret containing another is replaced whole.
      const alternatives = [...secrets].sort((a, b) => b.length - a.length).map(escapeRegExp);
      pattern = new RegExp(alternatives.join('|'), 'g');
    },
    redact: <T>(value: T): T => (pattern ? (redactValue(value, 0) as T) : value),
    redactText,
  };
  redactor.add(initial);
  return redactor;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

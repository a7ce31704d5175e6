import { describe, expect, it } from 'vitest';
import { findUnstorableText } from './storable-text';

describe('findUnstorableText', () => {
  it('names the first string or key PostgreSQL cannot store', () => {
    expect(findUnstorableText({ a: 'fine', b: ['ok', 'x\u0000y'] })).toBe('/b/1');
    expect(findUnstorableText({ ['k\u0000']: 1 })).toBe('/k\u0000');
    expect(findUnstorableText({ name: 'a\uD800b' })).toBe('/name');
    expect(findUnstorableText({ name: 'a\uDC00' })).toBe('/name');
    expect(findUnstorableText('\u0000')).toBe('');
  });

  it('accepts ordinary text, surrogate pairs and other control characters', () => {
    expect(findUnstorableText({ s: 'héllo 💥 \t\n\u0001', n: 1, z: null, l: [true] })).toBeNull();
  });

  it('walks deep nesting without recursion', () => {
    let deep: unknown = 'x\u0000';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findUnstorableText(deep)).toMatch(/^(\/0){100000}$/);
  });
});

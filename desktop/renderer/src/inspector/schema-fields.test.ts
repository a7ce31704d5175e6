import { describe, expect, it } from 'vitest';
import { getNodeType } from '../catalog/node-catalog';
import type { FieldSpec } from './schema-fields';
import { fieldsForSchema, readPath, writePath } from './schema-fields';

function fields(type: string): FieldSpec[] {
  const info = getNodeType(type);
  if (!info) throw new Error(`no catalog entry for ${type}`);
  return fieldsForSchema(type, info.configJsonSchema);
}

const summary = (list: FieldSpec[]) =>
  list.map((f) => `${f.path.join('.')}:${f.kind}${f.required ? '!' : ''}`);

describe('inspector: config schema → fields', () => {
  it('maps action.http to text, enum, key/value, JSON and connection fields', () => {
    const http = fields('action.http');
    expect(summary(http)).toEqual([
      'method:enum',
      'url:text!',
      'headers:keyValue',
      'query:keyValue',
      'body:json',
      'bodyType:enum',
      'auth:group',
      'okStatus:text',
    ]);
    expect(http[0]!.enumValues).toContain('POST');
    expect(http[0]!.defaultValue).toBe('GET');
    // auth is optional, so its required key is not marked required for the user.
    expect(summary(http[6]!.children!)).toEqual(['auth.connection:connection']);
    expect(http[1]!.label).toBe('URL');
  });

  it('gives code.js a code editor, transform a JSON editor and branch.if an expression', () => {
    expect(summary(fields('code.js'))).toEqual(['code:code!']);
    expect(summary(fields('transform'))).toEqual(['value:json']);
    expect(summary(fields('branch.if'))).toEqual(['condition:expression']);
  });

  it('maps numbers, booleans, lists and nested groups', () => {
    expect(summary(fields('csv.format'))).toEqual([
      'rows:json!',
      'columns:list',
      'header:boolean',
      'delimiter:text',
    ]);
    const respond = fields('respond');
    expect(respond[0]).toMatchObject({
      kind: 'number',
      minimum: 100,
      maximum: 599,
      defaultValue: 200,
    });
    const poll = fields('trigger.poll');
    expect(summary(poll)).toEqual([
      'request:group!',
      'intervalSeconds:number!',
      'items:text!',
      'key:text!',
    ]);
    expect(poll[0]!.children!.map((f) => f.path.join('.'))).toContain('request.url');
  });

  it('has a field list for every catalog type (manual trigger: none)', () => {
    expect(fields('trigger.manual')).toEqual([]);
    expect(summary(fields('trigger.webhook'))).toEqual(['method:enum', 'respond:enum']);
  });
});

describe('inspector: reading and writing config paths', () => {
  it('writes nested values and prunes emptied objects', () => {
    let config = writePath(undefined, ['auth', 'connection'], 'c1');
    expect(config).toEqual({ auth: { connection: 'c1' } });
    config = writePath(config, ['url'], 'http://x');
    expect(readPath(config, ['auth', 'connection'])).toBe('c1');
    config = writePath(config, ['auth', 'connection'], undefined);
    expect(config).toEqual({ url: 'http://x' });
    expect(writePath(config, ['url'], undefined)).toBeUndefined();
  });
});

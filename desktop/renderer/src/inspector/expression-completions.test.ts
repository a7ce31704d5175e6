import { describe, expect, it } from 'vitest';
import type { CompletionContext } from './expression-completions';
import { applyCompletion, completionsFor, queryAt } from './expression-completions';

const context: CompletionContext = {
  trigger: { body: { name: 'Ada', total: 150, items: [{ sku: 'a1' }] }, headers: {} },
  steps: { fetch: { status: 200, body: { id: 7 } } },
  env: { CRM_URL: 'http://crm' },
  stepIds: ['fetch', 'notify'],
};

function complete(text: string) {
  const query = queryAt(text, text.length);
  return query ? completionsFor(query, context).map((c) => c.path) : null;
}

describe('expression completions', () => {
  it('completes only inside an open template', () => {
    expect(complete('plain text')).toBeNull();
    expect(complete('{{ trigger }} after')).toBeNull();
    expect(complete('{{ ')).toEqual([
      'trigger',
      'steps',
      'env',
      'execution',
      'item',
      'index',
      'error',
    ]);
    expect(complete('{{ st')).toEqual(['steps']);
  });

  it('walks sample data: trigger.body.…, steps.<id>.…, env.…, array elements', () => {
    expect(complete('{{ trigger.body.')).toEqual([
      'trigger.body.name',
      'trigger.body.total',
      'trigger.body.items',
    ]);
    expect(complete('{{ trigger.body.t')).toEqual(['trigger.body.total']);
    expect(complete('{{ trigger.body.items.')).toEqual(['trigger.body.items.sku']);
    expect(complete('{{ steps.')).toEqual(['steps.fetch', 'steps.notify']);
    expect(complete('{{ steps.fetch.body.')).toEqual(['steps.fetch.body.id']);
    expect(complete('x {{ env.C')).toEqual(['env.CRM_URL']);
  });

  it('inserts the chosen path in place of what was typed', () => {
    const text = 'Hello {{ trigger.bo }}!';
    const cursor = text.indexOf(' }}');
    const query = queryAt(text, cursor)!;
    const [first] = completionsFor(query, context);
    expect(applyCompletion(text, cursor, query, first!)).toEqual({
      text: 'Hello {{ trigger.body }}!',
      cursor: 21,
    });
  });
});

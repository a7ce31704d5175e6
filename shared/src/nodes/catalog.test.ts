import { describe, expect, it } from 'vitest';
import { nodeCatalog } from './catalog';
import { getNodeDefinition, NODE_TYPES } from './registry';
import { manualTrigger, pollTrigger, scheduleTrigger, webhookTrigger } from './triggers';

describe('nodeCatalog', () => {
  it('lists every type of the spec with its ports and a JSON Schema of its config', () => {
    expect(nodeCatalog.map((entry) => entry.type)).toEqual([
      'trigger.manual',
      'trigger.webhook',
      'trigger.schedule',
      'trigger.poll',
      'action.http',
      'transform',
      'code.js',
      'branch.if',
      'csv.parse',
      'csv.format',
      'respond',
      'flow.fail',
    ]);
    const ports = Object.fromEntries(nodeCatalog.map((entry) => [entry.type, entry.ports]));
    expect(ports).toMatchObject({
      'action.http': ['out', 'error'],
      'branch.if': ['true', 'false'],
      'flow.fail': [],
      respond: ['out'],
    });
    for (const entry of nodeCatalog) {
      expect(entry.title.length).toBeGreaterThan(0);
      expect(entry.configJsonSchema).toMatchObject({ type: 'object', additionalProperties: false });
    }
    const http = nodeCatalog.find((entry) => entry.type === 'action.http')?.configJsonSchema as {
      required: string[];
      properties: Record<string, { default?: unknown }>;
    };
    expect(http.required).toEqual(['url']);
    expect(http.properties.method?.default).toBe('GET');
  });
});

describe('registry', () => {
  it('finds known types only, whatever the string', () => {
    expect(NODE_TYPES).toHaveLength(12);
    expect(getNodeDefinition('transform')?.type).toBe('transform');
    for (const type of ['__proto__', 'constructor', 'toString', ''])
      expect(getNodeDefinition(type)).toBeUndefined();
  });
});

describe('trigger configs', () => {
  it('apply the spec defaults', () => {
    expect(manualTrigger.config.parse({})).toEqual({});
    expect(webhookTrigger.config.parse({})).toEqual({ method: 'POST', respond: 'accepted' });
    expect(scheduleTrigger.config.parse({ cron: '0 9 * * 1-5' })).toEqual({
      cron: '0 9 * * 1-5',
      timezone: 'UTC',
    });
    const poll = pollTrigger.config.parse({
      request: { url: 'https://x.example/items' },
      intervalSeconds: 60,
      items: '{{ body }}',
      key: '{{ item.id }}',
    });
    expect(poll.request).toMatchObject({ method: 'GET', okStatus: '2xx', bodyType: 'json' });
  });

  it('pass the run input through as their output (dry-run side)', async () => {
    const context = {
      trigger: { a: 1 },
      steps: {},
      env: {},
      execution: { id: 'e', workflowName: 'w', startedAt: '' },
    };
    const run = webhookTrigger.run as (c: { context: typeof context }) => Promise<unknown>;
    expect(await run({ context })).toEqual({ output: { a: 1 } });
  });
});

import { describe, expect, it } from 'vitest';
import { formatValidationError, validateWorkflow } from './validate-workflow';

const trigger = { id: 'start', type: 'trigger.manual' };
const doc = (nodes: unknown[], edges: unknown[] = [], extra: Record<string, unknown> = {}) => ({
  format: 'maestro/workflow@1',
  name: 'wf',
  nodes,
  edges,
  ...extra,
});
const errorsOf = (input: unknown) => {
  const result = validateWorkflow(input);
  return result.ok ? [] : result.errors.map(formatValidationError);
};

describe('validateWorkflow', () => {
  it('accepts the spec example and returns the typed workflow', () => {
    const result = validateWorkflow(
      doc(
        [
          {
            id: 'order',
            type: 'trigger.webhook',
            config: { method: 'POST' },
            position: { x: 0, y: 0 },
          },
          {
            id: 'isBig',
            type: 'branch.if',
            config: { condition: '{{ trigger.body.total > 100 }}' },
          },
          {
            id: 'notify',
            type: 'action.http',
            config: {
              method: 'POST',
              url: '{{ env.CRM_URL }}/orders',
              body: { id: '{{ trigger.body.id }}', total: '{{ trigger.body.total }}' },
            },
            retry: { maxAttempts: 3, backoffMs: 200, factor: 2 },
            timeoutMs: 10000,
          },
        ],
        [
          { from: 'order', to: 'isBig' },
          { from: 'isBig', port: 'true', to: 'notify' },
        ],
        { settings: { timeoutMs: 900000 }, description: 'x' },
      ),
    );
    expect(result.ok).toBe(true);
    if (result.ok)
      expect(result.workflow.nodes[2]?.retry).toEqual({
        maxAttempts: 3,
        backoffMs: 200,
        factor: 2,
        maxBackoffMs: 60000,
      });
  });

  it('reports a document that is not an object', () => {
    expect(errorsOf(null)).toEqual(['(document): must be a JSON object']);
    expect(errorsOf([1])).toEqual(['(document): must be a JSON object']);
  });

  it('reports format, required fields and unknown keys', () => {
    expect(
      errorsOf({ format: 'maestro/workflow@2', nodes: [trigger], edges: [], extra: 1 }),
    ).toEqual([
      'format: must be "maestro/workflow@1"',
      'name: required',
      '(document): unknown key "extra"',
    ]);
  });

  it('reports node ids that break the pattern and duplicates', () => {
    expect(
      errorsOf(
        doc(
          [
            trigger,
            { id: '1bad', type: 'transform', config: { value: 1 } },
            { id: 'start', type: 'transform', config: { value: 1 } },
          ],
          [{ from: 'start', to: '1bad' }],
        ),
      ),
    ).toEqual([
      'nodes[1].id: must match ^[A-Za-z_][A-Za-z0-9_]*$',
      'nodes[2].id: duplicate node id "start"',
    ]);
  });

  it('requires exactly one trigger', () => {
    expect(errorsOf(doc([{ id: 'a', type: 'transform', config: { value: 1 } }]))).toContain(
      'nodes: exactly one trigger node is required, found 0',
    );
    expect(errorsOf(doc([trigger, { id: 't2', type: 'trigger.manual' }]))).toContain(
      'nodes: exactly one trigger node is required, found 2 ("start", "t2")',
    );
  });

  it('allows at most 25 nodes besides the trigger', () => {
    const steps = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        id: `s${i}`,
        type: 'transform',
        config: { value: i },
      }));
    const edges = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ from: 'start', to: `s${i}` }));
    expect(validateWorkflow(doc([trigger, ...steps(25)], edges(25))).ok).toBe(true);
    expect(errorsOf(doc([trigger, ...steps(26)], edges(26)))).toEqual([
      'nodes: at most 25 nodes besides the trigger are allowed, found 26',
    ]);
  });

  it('caps settings.timeoutMs at 15 minutes', () => {
    expect(errorsOf(doc([trigger], [], { settings: { timeoutMs: 900001 } }))).toEqual([
      'settings.timeoutMs: must be at most 900000',
    ]);
  });

  it('reports unknown node types', () => {
    expect(
      errorsOf(doc([trigger, { id: 'x', type: 'action.ftp' }], [{ from: 'start', to: 'x' }]))[0],
    ).toMatch(/^nodes\[1\]\.type: unknown node type "action\.ftp" \(known: trigger\.manual, /);
  });

  it('reports edges to and from unknown nodes, and bad ports', () => {
    const nodes = [
      trigger,
      { id: 'check', type: 'branch.if', config: { condition: '{{ true }}' } },
      { id: 'a', type: 'transform', config: { value: 1 } },
    ];
    expect(
      errorsOf(
        doc(nodes, [
          { from: 'start', to: 'check' },
          { from: 'check', port: 'true', to: 'a' },
          { from: 'ghost', to: 'a' },
          { from: 'a', to: 'x' },
          { from: 'check', port: 'foo', to: 'a' },
          { from: 'check', to: 'a' },
        ]),
      ),
    ).toEqual([
      'edges[2].from: edge from unknown node "ghost"',
      'edges[3].to: edge to unknown node "x"',
      'edges[4].port: port "foo" is not a port of branch.if (true, false)',
      'edges[5]: a port is required: branch.if has no "out" port (true, false)',
    ]);
  });

  it('reports edges out of flow.fail, which has no ports', () => {
    const nodes = [
      trigger,
      { id: 'stop', type: 'flow.fail', config: { message: 'no' } },
      { id: 'a', type: 'transform', config: { value: 1 } },
    ];
    expect(
      errorsOf(
        doc(nodes, [
          { from: 'start', to: 'stop' },
          { from: 'stop', to: 'a' },
        ]),
      ),
    ).toEqual([
      'edges[1]: flow.fail has no ports ("stop" cannot have outgoing edges)',
      'nodes[2]: node "a" is not reachable from the trigger',
    ]);
  });

  it('reports cycles with their path, and edges into the trigger', () => {
    const nodes = [
      trigger,
      { id: 'a', type: 'transform', config: { value: 1 } },
      { id: 'b', type: 'transform', config: { value: 2 } },
    ];
    expect(
      errorsOf(
        doc(nodes, [
          { from: 'start', to: 'a' },
          { from: 'a', to: 'b' },
          { from: 'b', to: 'a' },
          { from: 'b', to: 'b' },
          { from: 'b', to: 'start' },
        ]),
      ),
    ).toEqual([
      'edges[2]: creates a cycle a → b → a',
      'edges[3]: creates a cycle b → b',
      'edges[4].to: a trigger cannot have incoming edges ("start")',
    ]);
  });

  it('reports nodes the trigger cannot reach', () => {
    const nodes = [
      trigger,
      { id: 'a', type: 'transform', config: { value: 1 } },
      { id: 'b', type: 'transform', config: { value: 2 } },
    ];
    expect(errorsOf(doc(nodes, [{ from: 'a', to: 'b' }]))).toEqual([
      'nodes[1]: node "a" is not reachable from the trigger',
      'nodes[2]: node "b" is not reachable from the trigger',
    ]);
  });

  it('checks each config against its type: required, unknown keys, types, enums', () => {
    const nodes = [
      trigger,
      { id: 'h', type: 'action.http', config: { method: 'FETCH', foo: 1, headers: { a: 1 } } },
      { id: 't', type: 'transform', config: {} },
      { id: 'c', type: 'csv.parse', config: { text: 'a', delimiter: ';;' } },
      { id: 'r', type: 'respond', config: { status: 700 } },
    ];
    const edges = ['h', 't', 'c', 'r'].map((to) => ({ from: 'start', to }));
    expect(errorsOf(doc(nodes, edges))).toEqual([
      'nodes[1].config.method: must be one of "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"',
      'nodes[1].config.url: required',
      'nodes[1].config.headers.a: expected string, got number',
      'nodes[1].config: unknown key "foo"',
      'nodes[2].config.value: required',
      'nodes[3].config.delimiter: must be one character',
      'nodes[4].config.status: must be at most 599',
    ]);
  });

  it('accepts a template wherever a value can be computed', () => {
    const nodes = [
      trigger,
      { id: 'r', type: 'respond', config: { status: '{{ 201 }}', headers: '{{ {"a": "b"} }}' } },
      {
        id: 'h',
        type: 'action.http',
        config: { url: '{{ env.URL }}/x', method: '{{ env.METHOD }}' },
      },
    ];
    expect(
      errorsOf(
        doc(nodes, [
          { from: 'start', to: 'r' },
          { from: 'start', to: 'h' },
        ]),
      ),
    ).toEqual([]);
  });

  it('reports templates that do not parse, with the path of their string', () => {
    const nodes = [
      trigger,
      {
        id: 'h',
        type: 'action.http',
        config: { url: 'http://x', body: { id: '{{ trigger.( }}', n: '{{ open' } },
      },
    ];
    expect(errorsOf(doc(nodes, [{ from: 'start', to: 'h' }]))).toEqual([
      expect.stringMatching(
        /^nodes\[1\]\.config\.body\.id: template does not parse: .+/,
      ) as unknown,
      'nodes[1].config.body.n: template does not parse: "{{" is not closed by "}}"',
    ]);
  });

  it('does not read code.js code as templates', () => {
    const nodes = [
      trigger,
      { id: 'c', type: 'code.js', config: { code: 'const o = {{}}; return "{{ (";' } },
    ];
    expect(errorsOf(doc(nodes, [{ from: 'start', to: 'c' }]))).toEqual([]);
  });

  it('checks forEach, dedupeKey and the node-level fields each type takes', () => {
    const nodes = [
      {
        id: 'hook',
        type: 'trigger.webhook',
        dedupeKey: '{{ headers.( }}',
        retry: { maxAttempts: 2 },
      },
      { id: 'a', type: 'transform', config: { value: 1 }, forEach: 'items', concurrency: 51 },
      { id: 'b', type: 'transform', config: { value: 1 }, concurrency: 2, dedupeKey: '{{ x }}' },
      { id: 'c', type: 'transform', config: { value: 1 }, forEach: '{{ [1, }}' },
    ];
    expect(
      errorsOf(
        doc(
          nodes,
          ['a', 'b', 'c'].map((to) => ({ from: 'hook', to })),
        ),
      ),
    ).toEqual([
      'nodes[1].concurrency: must be at most 50',
      'nodes[0].retry: a trigger takes no retry',
      expect.stringMatching(/^nodes\[0\]\.dedupeKey: template does not parse: /) as unknown,
      'nodes[1].forEach: must be a {{ }} template',
      'nodes[2].dedupeKey: only trigger.webhook and trigger.poll take a dedupeKey',
      'nodes[2].concurrency: concurrency only applies with forEach',
      expect.stringMatching(/^nodes\[3\]\.forEach: template does not parse: /) as unknown,
    ]);
  });

  it('checks trigger configs: cron, time zone, poll templates', () => {
    const cron = (config: unknown) =>
      errorsOf(doc([{ id: 's', type: 'trigger.schedule', config }]));
    expect(cron({ cron: '*/5 * * * *', timezone: 'Europe/Paris' })).toEqual([]);
    expect(cron({ cron: '* * *' })).toEqual([
      'nodes[0].config.cron: must be a cron expression of 5 fields (minute hour day month weekday)',
    ]);
    expect(cron({ cron: '99 * * * *', timezone: 'Mars/Base' })).toEqual([
      expect.stringMatching(/^nodes\[0\]\.config\.cron: not a valid cron expression/) as unknown,
      'nodes[0].config.timezone: must be an IANA time zone such as "Europe/Paris"',
    ]);
    const poll = {
      id: 'p',
      type: 'trigger.poll',
      config: {
        request: { url: 'https://api.example.com/items' },
        intervalSeconds: 60,
        items: 'body',
        key: '{{ item.( }}',
      },
    };
    expect(errorsOf(doc([poll]))).toEqual([
      'nodes[0].config.items: must be a {{ }} template',
      expect.stringMatching(/^nodes\[0\]\.config\.key: template does not parse/) as unknown,
    ]);
  });

  it('reports every error at once', () => {
    const errors = errorsOf({
      format: 'x',
      name: '',
      nodes: [{ id: 'a', type: 'transform' }, 'junk', { id: 'a', type: 'nope' }],
      edges: [{ from: 'a', to: 'zz' }, 7],
    });
    expect(errors.length).toBeGreaterThanOrEqual(7);
  });

  it('never throws on junk', () => {
    const junk: unknown[] = [
      undefined,
      0,
      'x',
      true,
      {},
      { nodes: {} },
      { nodes: [null, 1, [], { id: {} }] },
      {
        nodes: [{ id: '__proto__', type: '__proto__' }],
        edges: [{ from: '__proto__', to: 'constructor', port: 1 }],
      },
    ];
    for (const value of junk) expect(() => validateWorkflow(value)).not.toThrow();
  });
});

describe('formatValidationError', () => {
  it('prints path: message', () => {
    expect(formatValidationError({ path: 'nodes[2].config.url', message: 'required' })).toBe(
      'nodes[2].config.url: required',
    );
  });
});

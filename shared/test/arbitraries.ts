import fc from 'fast-check';
import { NODE_TYPES } from '../src/index';

/** JSON paths as the validator writes them: `nodes[2].config.url`, `headers["x-api-key"]`, or '' for the document. */
export const JSON_PATH =
  /^(?:[A-Za-z_$][\w$]*)?(?:\.[A-Za-z_$][\w$]*|\[\d+\]|\["(?:[^"\\]|\\.)*"\])*$/;

const ids = fc.constantFrom(
  'start',
  'a',
  'b',
  'c_1',
  'Fetch',
  '9bad',
  'has space',
  '',
  '__proto__',
  'constructor',
);
const types = fc.constantFrom(...NODE_TYPES, 'trigger.nope', 'http', '', 'toString');
const ports = fc.constantFrom('out', 'error', 'true', 'false', 'nope', '');

/** Strings that are, or look like, templates: valid JSONata, broken JSONata, unclosed braces. */
export const templateish = fc.oneof(
  fc.constantFrom(
    '{{ trigger.body.id }}',
    '{{ steps.a.body }}',
    'x {{ env.URL }}/y',
    '{{ ',
    '{{ }}',
    '{{ $$$ }}',
    '{{ [1, 2 }}',
    '}}{{',
    '{{ item * index }}',
    '{{ $sum(trigger.items.price) }}',
    '{{ error.message }}',
    '{{ "a" & }}',
  ),
  fc.string(),
);

/** Any JSON value, with template-looking strings mixed in. */
export const jsonWithTemplates: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.jsonValue({ maxDepth: 1 }),
    templateish,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(
      fc.oneof(fc.string(), fc.constantFrom('url', 'method', 'body', 'value', 'code')),
      tie('value'),
      {
        maxKeys: 4,
      },
    ),
  ),
})).value;

const node = fc.record(
  {
    id: ids,
    type: types,
    config: fc.oneof(
      jsonWithTemplates,
      fc.dictionary(fc.string(), jsonWithTemplates, { maxKeys: 4 }),
    ),
    retry: fc.oneof(
      fc.jsonValue({ maxDepth: 1 }),
      fc.record({ maxAttempts: fc.integer({ min: -1, max: 12 }) }),
    ),
    timeoutMs: fc.oneof(fc.integer(), fc.double(), fc.string()),
    forEach: templateish,
    concurrency: fc.integer({ min: -5, max: 60 }),
    dedupeKey: templateish,
    position: fc.record({ x: fc.double(), y: fc.integer() }),
  },
  { requiredKeys: [] },
);

const edge = fc.record({ from: ids, to: ids, port: ports }, { requiredKeys: [] });

/** Documents shaped roughly like workflows: every part may be missing, wrong or junk. */
export const workflowish = fc.record(
  {
    format: fc.oneof(fc.constant('maestro/workflow@1'), fc.string()),
    name: fc.oneof(fc.string(), fc.integer()),
    settings: fc.oneof(fc.record({ timeoutMs: fc.integer() }), fc.jsonValue({ maxDepth: 1 })),
    nodes: fc.oneof(fc.array(node, { maxLength: 30 }), fc.jsonValue({ maxDepth: 1 })),
    edges: fc.oneof(fc.array(edge, { maxLength: 30 }), fc.jsonValue({ maxDepth: 1 })),
    extra: fc.jsonValue({ maxDepth: 1 }),
  },
  { requiredKeys: [] },
);

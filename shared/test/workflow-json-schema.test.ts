import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020';
import { describe, expect, it } from 'vitest';
import { buildWorkflowJsonSchema, WORKFLOW_SCHEMA_PATH } from '../../build/workflow-json-schema';
import { exampleNames, readExample } from '../../test/cli/support/examples';

const committed = JSON.parse(
  readFileSync(new URL(`../../${WORKFLOW_SCHEMA_PATH}`, import.meta.url), 'utf8'),
) as Record<string, unknown>;

const ajv = new Ajv2020({ allErrors: true, validateFormats: false, allowUnionTypes: true });
const validate = ajv.compile(committed);

function errorsOf(document: unknown): string[] {
  return validate(document)
    ? []
    : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

const withNode = (node: Record<string, unknown>) => ({
  format: 'maestro/workflow@1',
  name: 'one node',
  nodes: [
    { id: 'start', type: 'trigger.manual' },
    { id: 'step', ...node },
  ],
  edges: [{ from: 'start', to: 'step' }],
});

describe('shared/schema/workflow-v1.schema.json', () => {
  it('is what `npm run schema` generates from the zod schemas today', () => {
    expect(committed, 'stale: run `npm run schema` and commit the file').toEqual(
      buildWorkflowJsonSchema(),
    );
  });

  it('accepts every example workflow', () => {
    for (const name of exampleNames()) expect(errorsOf(readExample(name)), name).toEqual([]);
  });

  it("checks each node's config against its type, templates allowed where values are computed", () => {
    expect(
      errorsOf(withNode({ type: 'action.http', config: { url: 'http://x', method: 'POST' } })),
    ).toEqual([]);
    expect(
      errorsOf(
        withNode({ type: 'action.http', config: { url: '{{ env.U }}/a', method: '{{ env.M }}' } }),
      ),
    ).toEqual([]);
    expect(
      errorsOf(withNode({ type: 'respond', config: { status: '{{ steps.x.code }}' } })),
    ).toEqual([]);
    expect(
      errorsOf(withNode({ type: 'action.http', config: { method: 'POST' } })).join('\n'),
    ).toMatch(/url/);
    expect(
      errorsOf(withNode({ type: 'action.http', config: { url: 'http://x', verb: 'GET' } })).join(
        '\n',
      ),
    ).toMatch(/additional properties/);
    expect(errorsOf(withNode({ type: 'respond', config: { status: 'teapot' } }))).not.toEqual([]);
    expect(errorsOf(withNode({ type: 'action.http' }))).not.toEqual([]); // url is required, so config is too
    expect(errorsOf(withNode({ type: 'transform.v2', config: {} }))).not.toEqual([]);
  });

  it('rejects documents of another format and unknown top-level keys', () => {
    const example = readExample('webhook-to-crm') as Record<string, unknown>;
    expect(errorsOf({ ...example, format: 'maestro/workflow@2' })).not.toEqual([]);
    expect(errorsOf({ ...example, owner: 'me' })).not.toEqual([]);
  });
});

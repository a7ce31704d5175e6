import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatValidationError, prepareWorkflow, validateWorkflow } from '../src/index';
import type { ValidationResult } from '../src/index';
import { exampleNames, readExample } from '../../test/cli/support/examples';
import { JSON_PATH, jsonWithTemplates, workflowish } from './arbitraries';

// The validator meets whatever a user (or a broken editor) saves: it must
// never throw, and every error must carry a path and a one-line message.

function expectWellFormed(result: ValidationResult): void {
  if (result.ok) return;
  expect(result.errors.length).toBeGreaterThan(0);
  for (const error of result.errors) {
    expect(error.path).toMatch(JSON_PATH);
    expect(error.message.trim()).not.toBe('');
    expect(formatValidationError(error)).not.toMatch(/\n/);
  }
}

function validateSafely(document: unknown): ValidationResult {
  let result: ValidationResult | undefined;
  expect(() => (result = validateWorkflow(document))).not.toThrow();
  return result as ValidationResult;
}

describe('validateWorkflow on random input (fast-check)', () => {
  it('any JSON value: no throw, errors with paths', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (document) => {
        const result = validateSafely(document);
        expectWellFormed(result);
        expect(result.ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('any JavaScript value (prototype tricks, cycles of odd types): no throw', () => {
    fc.assert(
      fc.property(
        fc.anything({
          withBoxedValues: true,
          withMap: true,
          withSet: true,
          withNullPrototype: true,
        }),
        (document) => {
          expectWellFormed(validateSafely(document));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('workflow-shaped junk: no throw, errors with paths', () => {
    fc.assert(
      fc.property(workflowish, (document) => {
        expectWellFormed(validateSafely(document));
      }),
      { numRuns: 250 },
    );
  });
});

type Mutation = (document: Record<string, unknown>) => void;

/** Small edits a user might make by hand: each keeps the document JSON. */
const mutation: fc.Arbitrary<{ name: string; apply: Mutation }> = fc.oneof(
  fc.record({ at: fc.nat(), value: jsonWithTemplates }).map(({ at, value }) => ({
    name: 'replace a value somewhere',
    apply: (document: Record<string, unknown>) => replaceNth(document, at, value),
  })),
  fc.nat().map((at) => ({
    name: 'delete a key somewhere',
    apply: (document: Record<string, unknown>) => deleteNth(document, at),
  })),
  fc
    .record({
      from: fc.nat(),
      to: fc.nat(),
      port: fc.constantFrom(undefined, 'out', 'error', 'true', 'x'),
    })
    .map(({ from, to, port }) => ({
      name: 'add an edge between existing nodes',
      apply: (document: Record<string, unknown>) => {
        const nodes = (arrayAt(document, 'nodes') ?? []) as { id?: string }[];
        const edges = arrayAt(document, 'edges');
        if (nodes.length === 0 || !edges) return;
        const edge = {
          from: nodes[from % nodes.length]?.id,
          to: nodes[to % nodes.length]?.id,
          ...(port ? { port } : {}),
        };
        edges.push(edge);
      },
    })),
  fc.nat().map((at) => ({
    name: 'duplicate a node',
    apply: (document: Record<string, unknown>) => {
      const nodes = arrayAt(document, 'nodes');
      if (nodes && nodes.length > 0) nodes.push(structuredClone(nodes[at % nodes.length]));
    },
  })),
  fc
    .record({ at: fc.nat(), key: fc.string(), value: fc.jsonValue({ maxDepth: 1 }) })
    .map(({ at, key, value }) => ({
      name: 'add an unknown key to a node or its config',
      apply: (document: Record<string, unknown>) => {
        const nodes = arrayAt(document, 'nodes') ?? [];
        const node = nodes[at % Math.max(1, nodes.length)];
        if (!node || typeof node !== 'object') return;
        const target =
          at % 2 === 0 && typeof node.config === 'object' && node.config
            ? (node.config as Record<string, unknown>)
            : node;
        target[`x_${key}`] = value;
      },
    })),
);

describe('validateWorkflow on mutated examples (fast-check)', () => {
  const examples = exampleNames().map((name) => readExample(name) as Record<string, unknown>);

  it('never throws; a document it accepts can be prepared for a run', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: examples.length - 1 }),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        (pick, edits) => {
          const document = structuredClone(examples[pick]) as Record<string, unknown>;
          for (const edit of edits) edit.apply(document);
          const result = validateSafely(document);
          expectWellFormed(result);
          if (result.ok) expect(() => prepareWorkflow(result.workflow)).not.toThrow();
        },
      ),
      { numRuns: 250 },
    );
  });
});

/** `document[key]` when a mutation before has left it an array. */
function arrayAt(
  document: Record<string, unknown>,
  key: string,
): Record<string, unknown>[] | undefined {
  const value = document[key];
  return Array.isArray(value) ? (value as Record<string, unknown>[]) : undefined;
}

/** Visits every (container, key) pair of a JSON tree, depth first. */
function slots(root: unknown): [Record<string | number, unknown>, string | number][] {
  const out: [Record<string | number, unknown>, string | number][] = [];
  const visit = (node: unknown) => {
    if (Array.isArray(node))
      node.forEach((child, i) => (out.push([node as never, i]), visit(child)));
    else if (node && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) {
        out.push([node as Record<string, unknown>, key]);
        visit(child);
      }
    }
  };
  visit(root);
  return out;
}

function replaceNth(root: unknown, n: number, value: unknown): void {
  const all = slots(root);
  const [container, key] = all[n % all.length] ?? [];
  if (container !== undefined && key !== undefined) container[key] = value;
}

function deleteNth(root: unknown, n: number): void {
  const all = slots(root);
  const [container, key] = all[n % all.length] ?? [];
  if (container === undefined || key === undefined) return;
  if (Array.isArray(container)) container.splice(key as number, 1);
  else delete container[key];
}

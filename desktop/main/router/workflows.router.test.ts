import { TRPCError } from '@trpc/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/support/test-app';
import type { TestApp } from '../../test/support/test-app';

const valid = (name = 'Orders') => ({
  format: 'maestro/workflow@1',
  name,
  description: 'Big orders to the CRM',
  nodes: [
    { id: 'order', type: 'trigger.webhook', config: { method: 'POST' } },
    { id: 'shape', type: 'transform', config: { value: { id: '{{ trigger.body.id }}' } } },
  ],
  edges: [{ from: 'order', to: 'shape' }],
});

describe('workflows router (real SQLite)', () => {
  let app: TestApp;
  beforeEach(() => {
    app = createTestApp();
  });
  afterEach(() => app.close());

  it('creates a blank workflow with a manual trigger only', async () => {
    const { id, version } = await app.caller.workflows.create();
    expect(version).toBe(1);
    const detail = await app.caller.workflows.get({ id });
    expect(detail.document.nodes).toEqual([
      { id: 'start', type: 'trigger.manual', position: { x: 0, y: 0 } },
    ]);
    expect(detail.document.edges).toEqual([]);
    const [summary] = await app.caller.workflows.list();
    expect(summary).toMatchObject({
      id,
      name: 'Untitled workflow',
      version: 1,
      valid: true,
      triggerType: 'trigger.manual',
    });
  });

  it('creates from a template and pins its sample input on the trigger', async () => {
    const templates = await app.caller.templates.list();
    const template = templates.find((candidate) => candidate.id === 'webhook-to-crm');
    expect(template?.sampleInput).toBeDefined();
    const { id } = await app.caller.workflows.create({ fromTemplate: 'webhook-to-crm' });
    const detail = await app.caller.workflows.get({ id });
    expect(detail.document).toEqual(template!.document);
    expect(await app.caller.samples.get({ workflowId: id })).toEqual({
      signup: template!.sampleInput,
    });
    await expect(app.caller.workflows.create({ fromTemplate: 'nope' })).rejects.toThrow(
      /No template "nope"/,
    );
  });

  it('makes every save a new version; an invalid draft saves with its issues', async () => {
    const { id } = await app.caller.workflows.create({ document: valid() });
    const saved = await app.caller.workflows.save({
      id,
      document: valid('Orders v2'),
      message: 'renamed in doc',
    });
    expect(saved).toEqual({ version: 2, issues: [] });

    const draft = { ...valid(), nodes: [...valid().nodes, { id: 'bad id', type: 'transform' }] };
    const draftSave = await app.caller.workflows.save({ id, document: draft });
    expect(draftSave.version).toBe(3);
    expect(draftSave.issues.length).toBeGreaterThan(0);
    expect(draftSave.issues.some((issue) => issue.path.startsWith('nodes[2]'))).toBe(true);

    const [summary] = await app.caller.workflows.list();
    expect(summary).toMatchObject({ version: 3, valid: false });
    expect((await app.caller.workflows.get({ id })).document).toEqual(draft);
    const versions = await app.caller.workflows.versions({ id });
    expect(versions.map((v) => v.version)).toEqual([3, 2, 1]);
    expect(versions[1]).toMatchObject({ message: 'renamed in doc', nodeCount: 2 });
    expect(versions[0]!.nodeCount).toBe(3);
  });

  it('restores an old version as a new version, keeping history', async () => {
    const { id } = await app.caller.workflows.create({ document: valid('First') });
    await app.caller.workflows.save({ id, document: valid('Second') });
    const restored = await app.caller.workflows.restoreVersion({ id, version: 1 });
    expect(restored).toEqual({ version: 3 });
    expect((await app.caller.workflows.get({ id })).name).toBe('First');
    const versions = await app.caller.workflows.versions({ id });
    expect(versions.map((v) => [v.version, v.message])).toEqual([
      [3, 'Restored version 1'],
      [2, undefined],
      [1, 'Created'],
    ]);
    await expect(app.caller.workflows.restoreVersion({ id, version: 9 })).rejects.toThrow(
      /has no version 9/,
    );
  });

  it('renames (a new version whose document carries the name) and duplicates with pinned samples', async () => {
    const { id } = await app.caller.workflows.create({ document: valid() });
    await app.caller.samples.pin({ workflowId: id, nodeId: 'order', data: { body: { id: 7 } } });
    expect(await app.caller.workflows.rename({ id, name: 'Renamed' })).toEqual({ version: 2 });
    expect((await app.caller.workflows.get({ id })).document.name).toBe('Renamed');
    await expect(app.caller.workflows.rename({ id, name: '  ' })).rejects.toThrow(
      /name is required/,
    );

    const copy = await app.caller.workflows.duplicate({ id });
    expect(copy.id).not.toBe(id);
    const detail = await app.caller.workflows.get({ id: copy.id });
    expect(detail).toMatchObject({ name: 'Renamed (copy)', version: 1 });
    expect(await app.caller.samples.get({ workflowId: copy.id })).toEqual({
      order: { body: { id: 7 } },
    });
  });

  it('searches by name or description, case-insensitively, with LIKE wildcards taken literally', async () => {
    await app.caller.workflows.create({
      document: { ...valid('Invoices to ERP'), description: 'Monthly' },
    });
    await app.caller.workflows.create({
      document: { ...valid('Signups'), description: '100% of the CRM leads' },
    });
    expect((await app.caller.workflows.list({ search: 'invoice' })).map((w) => w.name)).toEqual([
      'Invoices to ERP',
    ]);
    expect((await app.caller.workflows.list({ search: 'crm' })).map((w) => w.name)).toEqual([
      'Signups',
    ]);
    expect((await app.caller.workflows.list({ search: '%' })).map((w) => w.name)).toEqual([
      'Signups',
    ]);
    expect(await app.caller.workflows.list({ search: 'nothing like it' })).toEqual([]);
  });

  it('soft-deletes and restores (undo)', async () => {
    const { id } = await app.caller.workflows.create({ document: valid() });
    await app.caller.workflows.delete({ id });
    expect(await app.caller.workflows.list()).toEqual([]);
    const error = await app.caller.workflows.get({ id }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).code).toBe('NOT_FOUND');
    await app.caller.workflows.restore({ id });
    expect((await app.caller.workflows.list()).map((w) => w.id)).toEqual([id]);
    expect((await app.caller.workflows.versions({ id })).length).toBe(1);
    await expect(app.caller.workflows.restore({ id: 'missing' })).rejects.toThrow(
      /No workflow with id missing/,
    );
  });

  it('imports a valid file and refuses others with the validator issues and their paths', async () => {
    const ok = await app.caller.workflows.import({
      text: JSON.stringify(valid('Imported')),
      fileName: 'a.maestro.json',
    });
    expect('id' in ok).toBe(true);
    if ('id' in ok) {
      expect((await app.caller.workflows.versions({ id: ok.id }))[0]!.message).toBe(
        'Imported from a.maestro.json',
      );
    }

    const notJson = await app.caller.workflows.import({
      text: '{ nope',
      fileName: 'b.maestro.json',
    });
    expect(notJson).toEqual({
      issues: [{ path: '', message: expect.stringMatching(/^b\.maestro\.json: not JSON/) }],
    });

    const broken = {
      ...valid(),
      nodes: [valid().nodes[0], { id: 'post', type: 'action.http', config: { method: 'POST' } }],
      edges: [{ from: 'order', to: 'ghost' }],
    };
    const refused = await app.caller.workflows.import({ text: JSON.stringify(broken) });
    if (!('issues' in refused)) throw new Error('expected issues');
    const paths = refused.issues.map((issue) => issue.path);
    expect(paths).toContain('nodes[1].config.url');
    expect(paths.some((path) => path.startsWith('edges[0]'))).toBe(true);
    expect(await app.caller.workflows.list()).toHaveLength(1);
  });

  it('exports the document with a file name, never a literal credential', async () => {
    const document = {
      ...valid('Big Orders → CRM'),
      nodes: [
        valid().nodes[0],
        {
          id: 'post',
          type: 'action.http',
          config: {
            method: 'POST',
            url: 'https://crm.example/orders',
            auth: { connection: 'conn-1' },
            headers: {
              Authorization: 'Bearer sk_live_123',
              'x-trace': 'keep',
              Cookie: '{{ env.COOKIE }}',
            },
          },
        },
      ],
      edges: [{ from: 'order', to: 'post' }],
    };
    const { id } = await app.caller.workflows.create({ document });
    const exported = await app.caller.workflows.export({ id });
    expect(exported.fileName).toBe('big-orders-crm.maestro.json');
    expect(exported.text).not.toContain('sk_live_123');
    const parsed = JSON.parse(exported.text) as typeof document;
    expect(parsed.nodes[1]!.config).toMatchObject({
      auth: { connection: 'conn-1' },
      headers: { Authorization: '[redacted]', 'x-trace': 'keep', Cookie: '{{ env.COOKIE }}' },
    });
    // Round trip: the export imports back.
    const again = await app.caller.workflows.import({
      text: exported.text,
      fileName: exported.fileName,
    });
    expect('id' in again).toBe(true);
  });

  it('rejects bad input with zod messages', async () => {
    await expect(app.caller.workflows.get({ id: '' })).rejects.toThrow();
    await expect(app.caller.workflows.restoreVersion({ id: 'x', version: 0 })).rejects.toThrow();
  });
});

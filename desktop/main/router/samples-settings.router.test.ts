import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/support/test-app';
import type { TestApp } from '../../test/support/test-app';

describe('samples, settings, templates and app routers', () => {
  let app: TestApp;
  beforeEach(() => {
    app = createTestApp();
  });
  afterEach(() => app.close());

  it('pins, replaces and unpins sample data per node', async () => {
    const { id } = await app.caller.workflows.create();
    expect(await app.caller.samples.get({ workflowId: id })).toEqual({});
    await app.caller.samples.pin({ workflowId: id, nodeId: 'start', data: { a: 1 } });
    await app.caller.samples.pin({ workflowId: id, nodeId: 'fetch', data: [1, 2] });
    await app.caller.samples.pin({ workflowId: id, nodeId: 'start', data: { a: 2 } });
    expect(await app.caller.samples.get({ workflowId: id })).toEqual({
      start: { a: 2 },
      fetch: [1, 2],
    });
    expect(await app.caller.samples.unpin({ workflowId: id, nodeId: 'fetch' })).toEqual({
      unpinned: true,
    });
    expect(await app.caller.samples.unpin({ workflowId: id, nodeId: 'fetch' })).toEqual({
      unpinned: false,
    });
    expect(await app.caller.samples.get({ workflowId: id })).toEqual({ start: { a: 2 } });
  });

  it('reads defaults, then keeps updates across a restart', async () => {
    expect(await app.caller.settings.get()).toEqual({
      env: {},
      secretEnvKeys: [],
      theme: 'system',
    });
    await app.caller.settings.update({
      env: { CRM_URL: 'http://127.0.0.1:9' },
      secretEnvKeys: ['TOKEN'],
    });
    await app.caller.settings.update({ theme: 'dark', lastOpenWorkflowId: 'w1' });
    const expected = {
      env: { CRM_URL: 'http://127.0.0.1:9' },
      secretEnvKeys: ['TOKEN'],
      theme: 'dark',
      lastOpenWorkflowId: 'w1',
    };
    expect(await app.caller.settings.get()).toEqual(expected);
    await app.services.close();
    const reopened = createTestApp({ dataDir: app.dataDir });
    expect(await reopened.caller.settings.get()).toEqual(expected);
    expect(await reopened.caller.settings.update({ lastOpenWorkflowId: null })).not.toHaveProperty(
      'lastOpenWorkflowId',
    );
    app = reopened;
  });

  it('refuses env names that templates could not reach', async () => {
    await expect(app.caller.settings.update({ env: { 'BAD-NAME': 'x' } })).rejects.toThrow(
      /letters, digits and _/,
    );
    await expect(app.caller.settings.update({ theme: 'neon' as never })).rejects.toThrow();
  });

  it('lists the starter gallery from examples/ with categories and sample inputs', async () => {
    const templates = await app.caller.templates.list();
    expect(templates.length).toBeGreaterThanOrEqual(2);
    for (const template of templates) {
      expect(template.document.format).toBe('maestro/workflow@1');
      expect(template.name).toBe(template.document.name);
      expect(['Webhooks', 'Scheduled', 'Polling', 'Manual', 'Other']).toContain(template.category);
    }
    expect(templates.find((t) => t.id === 'webhook-to-crm')).toMatchObject({
      category: 'Webhooks',
    });
  });

  it('describes the app', async () => {
    expect(await app.caller.app.info()).toEqual({
      version: 'test',
      transport: 'browser',
      dataDir: app.dataDir,
    });
  });
});

/**
 * Scenario A end to end, through the browser host in Debian Chromium: build
 * webhook → HTTP POST by drag and drop, map the body with expressions,
 * dry-run it against a real server on 127.0.0.1, break a field, undo, redo.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import {
  formatValidationError,
  validateWorkflow,
} from '../../../shared/src/validation/validate-workflow';
import {
  connect,
  dragFromPalette,
  dryRun,
  newBlankWorkflow,
  nodeBadge,
  selectNode,
} from './editor-driver';
import type { Studio } from './harness';
import { openPage, screenshot, startStudio, startTargetServer } from './harness';

describe('scenario A in the designer (browser host, Chromium)', () => {
  let studio: Studio;
  let target: Awaited<ReturnType<typeof startTargetServer>>;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    [studio, target] = await Promise.all([startStudio(), startTargetServer()]);
    ({ page, errors } = await openPage(studio));
  }, 120_000);

  afterAll(async () => {
    await target?.close();
    await studio?.close();
  });

  it('builds webhook → HTTP by drag and drop from an empty canvas', async () => {
    await newBlankWorkflow(page);
    await selectNode(page, 'start');
    await page.keyboard.press('Delete');
    await page.getByTestId('node-start').waitFor({ state: 'detached' });
    await dragFromPalette(page, 'trigger.webhook', 160, 220);
    await dragFromPalette(page, 'action.http', 480, 220);
    await page.getByTestId('node-webhook').waitFor();
    await page.getByTestId('node-http').waitFor();
    await connect(page, 'webhook', 'out', 'http');
    await page.locator('.react-flow__edge').first().waitFor();
    expect(await page.locator('.react-flow__edge').count()).toBe(1);
    await screenshot(page, '01-scenario-a-built');
  });

  it('fills the HTTP step with expressions and previews them from the sample', async () => {
    await selectNode(page, 'http');
    await page.getByLabel('Method').selectOption('POST');
    await page.getByLabel('URL').fill(`${target.url}/orders/{{ trigger.body.id }}`);
    await page
      .getByLabel('Body', { exact: true })
      .fill('{ "customer": "{{ trigger.body.name }}", "total": "{{ trigger.body.total }}" }');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByTestId('save-state').filter({ hasText: 'Saved · v2' }).waitFor();
    await expect.poll(() => page.getByTestId('problems').count()).toBe(0);
    await screenshot(page, '02-scenario-a-filled');
  });

  it('dry-runs against a real HTTP server: every node green, the server gets the mapped body', async () => {
    const status = await dryRun(page, {
      method: 'POST',
      path: '/',
      headers: {},
      query: {},
      body: { id: 'o-42', name: 'Ada', total: 150 },
    });
    expect(status).toBe('success');
    expect(await nodeBadge(page, 'webhook')).toBe('success');
    expect(await nodeBadge(page, 'http')).toBe('success');
    expect(target.received).toHaveLength(1);
    expect(target.received[0]).toMatchObject({ method: 'POST', url: '/orders/o-42' });
    expect(JSON.parse(target.received[0]!.body)).toEqual({ customer: 'Ada', total: 150 });
    // The run panel shows the step's output, and the autocompletion now knows the trigger's fields.
    await page.getByTestId('run-step-http').click();
    await page.getByTestId('run-step-http').getByText('"status": 201').waitFor();
    await selectNode(page, 'http');
    const url = page.getByLabel('URL');
    await url.fill(`${target.url}/orders/{{ trigger.body.`);
    await page.getByRole('option', { name: /total/ }).waitFor();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await expect.poll(() => url.inputValue()).toBe(`${target.url}/orders/{{ trigger.body.total`);
    await url.fill(`${target.url}/orders/{{ trigger.body.id }}`);
    await page
      .getByTestId('expression-preview')
      .first()
      .filter({ hasText: `/orders/o-42` })
      .waitFor();
    await screenshot(page, '03-scenario-a-run-success');
  });

  it('shows the validator message next to a broken field, then undo and redo', async () => {
    await selectNode(page, 'http');
    await page.getByLabel('URL').fill('');
    const urlField = page.locator('[data-field="url"]');
    await urlField.getByTestId('field-issues').waitFor();
    const shown = await urlField.getByTestId('field-issues').innerText();
    // The same words as `maestro validate` for the same document.
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByTestId('save-state').filter({ hasText: 'Saved · v3' }).waitFor();
    const saved = studio.server.services.workflows.list().find((w) => w.version === 3)!;
    const result = validateWorkflow(studio.server.services.workflows.get(saved.id).document);
    expect(result.ok).toBe(false);
    const expected = result.ok
      ? []
      : result.errors.filter((e) => e.path.endsWith('config.url')).map(formatValidationError);
    expect(shown.split('\n')).toEqual(expected);
    expect(await page.getByTestId('problems').innerText()).toContain(expected[0]);
    await screenshot(page, '04-scenario-a-inline-error');

    await page.getByTestId('canvas').click({ position: { x: 20, y: 20 } }); // focus leaves the text field
    await page.keyboard.press('Control+z');
    await selectNode(page, 'http');
    await expect
      .poll(() => page.getByLabel('URL').inputValue())
      .toBe(`${target.url}/orders/{{ trigger.body.id }}`);
    await expect.poll(() => urlField.getByTestId('field-issues').count()).toBe(0);
    await page.getByTestId('canvas').click({ position: { x: 20, y: 20 } });
    await page.keyboard.press('Control+Shift+z');
    await selectNode(page, 'http');
    await expect.poll(() => page.getByLabel('URL').inputValue()).toBe('');
    await urlField.getByTestId('field-issues').waitFor();
    // Undo from the toolbar too.
    await page.getByRole('button', { name: 'Undo' }).click();
    await expect
      .poll(() => page.getByLabel('URL').inputValue())
      .toBe(`${target.url}/orders/{{ trigger.body.id }}`);
  });

  it('logged no error in the page', () => {
    expect(errors).toEqual([]);
  });
});

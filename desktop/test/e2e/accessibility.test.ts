/**
 * Keyboard-only use and axe-core checks of the main screens (WCAG 2.1 AA),
 * through the browser host in Debian Chromium.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations, tabTo } from './a11y-driver';
import { nodeBadge } from './editor-driver';
import type { Studio } from './harness';
import { openPage, screenshot, startStudio, startTargetServer } from './harness';

describe('accessibility (browser host, Chromium)', () => {
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

  it('has no serious axe violation on the empty start screen', async () => {
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('builds, wires, edits, saves and runs a workflow with the keyboard only', async () => {
    await tabTo(page, page.getByRole('button', { name: 'New workflow', exact: true }));
    await page.keyboard.press('Enter');
    await tabTo(page, page.getByTestId('blank-workflow'));
    await page.keyboard.press('Enter');
    await page.getByTestId('node-start').waitFor();

    // Focus the trigger on the canvas and select it, then add steps after it from the palette search.
    await tabTo(page, page.locator('.react-flow__node[data-id="start"]'));
    await page.keyboard.press('Enter');
    await page.locator('#inspector-node-id[value="start"]').waitFor();
    await page.keyboard.press('Control+k');
    await page.keyboard.type('http');
    await page.keyboard.press('Enter');
    await page.getByTestId('node-http').waitFor();
    await page.keyboard.press('Control+a');
    await page.keyboard.type('transform');
    await page.keyboard.press('Enter');
    await page.getByTestId('node-transform').waitFor();
    expect(await page.locator('.react-flow__edge').count()).toBe(2);

    // Rewire with the inspector: remove http → transform, connect it again with "Connect out to…".
    await tabTo(page, page.locator('.react-flow__node[data-id="http"]'));
    await page.keyboard.press('Enter');
    await page.locator('#inspector-node-id[value="http"]').waitFor();
    await tabTo(page, page.getByRole('button', { name: 'Remove connection out to transform' }));
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(1);
    await tabTo(page, page.getByLabel('Connect out to…'), 10);
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(2);

    // Fill the URL with an expression, accepting a suggestion with the keyboard.
    const url = page.getByLabel('URL');
    await tabTo(page, url);
    await page.keyboard.type(`${target.url}/ping?from={{ exe`);
    await page.getByRole('option', { name: /execution/ }).waitFor();
    await page.keyboard.press('Enter');
    await page.keyboard.type('.id }}');
    await expect.poll(() => url.inputValue()).toBe(`${target.url}/ping?from={{ execution.id }}`);

    // The transform maps the HTTP answer; its value is JSON typed in a JSON editor.
    await tabTo(page, page.locator('.react-flow__node[data-id="transform"]'));
    await page.keyboard.press('Enter');
    await page.locator('#inspector-node-id[value="transform"]').waitFor();
    await tabTo(page, page.getByLabel('Value'));
    await page.keyboard.type('{ "answer": "{{ steps.http.body.id }}" }');
    await expect.poll(() => page.getByTestId('problems').count()).toBe(0);
    await screenshot(page, '20-keyboard-built');

    await page.keyboard.press('Control+s');
    await page.getByTestId('save-state').filter({ hasText: 'Saved · v2' }).waitFor();
    await page.keyboard.press('Control+Enter');
    await page.getByLabel('Input (JSON)').waitFor();
    await tabTo(page, page.getByTestId('start-run'));
    await page.keyboard.press('Enter');
    await page
      .locator('[data-testid="run-status"][data-status="success"]')
      .waitFor({ timeout: 20_000 });
    for (const id of ['start', 'http', 'transform'])
      expect([id, await nodeBadge(page, id)]).toEqual([id, 'success']);
    expect(target.received.map((r) => r.url)).toEqual([expect.stringMatching(/^\/ping\?from=.+/)]);
    // The preview of the selected transform now evaluates against the run's outputs.
    await page.getByTestId('expression-preview').filter({ hasText: '"answer": 1' }).waitFor();
    await screenshot(page, '21-keyboard-run');
  }, 120_000);

  it('has no serious axe violation in the editor, with a step selected and the run panel open', async () => {
    await page.getByRole('button', { name: 'Fit', exact: true }).click();
    await page.waitForTimeout(300);
    await page.getByTestId('node-http').click();
    await page.locator('#inspector-node-id[value="http"]').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('has no serious axe violation in the dialogs and pages', async () => {
    const screens: [string, () => Promise<void>, () => Promise<void>][] = [
      ['help', () => page.keyboard.press('?'), () => page.keyboard.press('Escape')],
      [
        'gallery',
        () => page.getByRole('button', { name: 'New workflow', exact: true }).click(),
        () => page.keyboard.press('Escape'),
      ],
      [
        'run dialog',
        () => page.getByRole('button', { name: '▶ Run' }).click(),
        () => page.keyboard.press('Escape'),
      ],
      [
        'versions',
        () => page.getByRole('button', { name: 'Versions' }).click(),
        () => page.keyboard.press('Escape'),
      ],
      [
        'connections',
        () => page.getByRole('button', { name: 'Connections', exact: true }).click(),
        async () => undefined,
      ],
      [
        'settings',
        () => page.getByRole('button', { name: 'Settings' }).click(),
        () => page.getByRole('button', { name: 'Editor' }).click(),
      ],
    ];
    const found: Record<string, string[]> = {};
    for (const [name, open, close] of screens) {
      await page.getByTestId('canvas').or(page.locator('.page')).first().waitFor();
      await open();
      await page.waitForTimeout(300); // dialogs load their lists
      await screenshot(page, `22-axe-${name.replace(' ', '-')}`);
      found[name] = await seriousViolations(page);
      await close();
    }
    expect(found).toEqual({
      help: [],
      gallery: [],
      'run dialog': [],
      versions: [],
      connections: [],
      settings: [],
    });
  }, 120_000);

  it('logged no error in the page', () => {
    expect(errors).toEqual([]);
  });
});

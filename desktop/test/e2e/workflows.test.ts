/**
 * Managing workflows in the browser host: a starter template that runs as it
 * is, import/export round trip, rename, duplicate, delete with Undo, version
 * restore, connections and settings pages.
 */
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newBlankWorkflow, nodeBadge } from './editor-driver';
import type { Studio } from './harness';
import { openPage, screenshot, startStudio } from './harness';

async function exportText(page: Page): Promise<string> {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export', exact: true }).click(),
  ]);
  return readFile((await download.path())!, 'utf8');
}

const rowOf = (page: Page, name: string) =>
  page.locator('.wf-row', { has: page.getByText(name, { exact: true }) });

describe('workflows in the designer (browser host, Chromium)', () => {
  let studio: Studio;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    studio = await startStudio();
    ({ page, errors } = await openPage(studio));
  }, 120_000);

  afterAll(async () => {
    await studio?.close();
  });

  it('creates a workflow from the starter gallery and dry-runs it with its pinned sample', async () => {
    await page.getByRole('button', { name: 'New workflow', exact: true }).click();
    await page.getByRole('button', { name: /Clean up a CSV export/ }).waitFor();
    await screenshot(page, '10-gallery');
    await page.getByRole('button', { name: /Clean up a CSV export/ }).click();
    await page.getByRole('heading', { name: 'Clean up a CSV export' }).waitFor();
    await page.getByRole('button', { name: '▶ Run' }).click();
    await expect
      .poll(() => page.getByRole('radio', { name: /Pinned sample/ }).isChecked())
      .toBe(true);
    await screenshot(page, '11-run-dialog');
    await page.getByTestId('start-run').click();
    await page
      .locator('[data-testid="run-status"][data-status="success"]')
      .waitFor({ timeout: 20_000 });
    const ids = await page
      .locator('.react-flow__node')
      .evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-id')!));
    expect(ids.length).toBeGreaterThan(1);
    for (const id of ids) expect([id, await nodeBadge(page, id)]).toEqual([id, 'success']);
    await screenshot(page, '12-template-run');
  });

  it('exports a workflow and imports it back unchanged; refuses an invalid file with the validator paths', async () => {
    const exported = await exportText(page);
    const document = JSON.parse(exported) as { name: string; format: string };
    expect(document.format).toBe('maestro/workflow@1');
    await page.getByTestId('import-file').setInputFiles({
      name: 'copy.maestro.json',
      mimeType: 'application/json',
      buffer: Buffer.from(exported),
    });
    await page.getByText('Imported copy.maestro.json.').waitFor();
    await expect.poll(async () => (await studio.server.services.workflows.list()).length).toBe(2);
    expect(JSON.parse(await exportText(page))).toEqual(document);

    const broken = {
      ...document,
      nodes: [
        { id: 'start', type: 'trigger.manual' },
        { id: 'x', type: 'action.http', config: {} },
      ],
      edges: [{ from: 'start', to: 'x' }],
    };
    await page.getByTestId('import-file').setInputFiles({
      name: 'broken.maestro.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(broken)),
    });
    await page.getByText(/Import refused: .*nodes\[1\]\.config\.url: required/).waitFor();
    expect(studio.server.services.workflows.list()).toHaveLength(2);
  });

  it('renames, duplicates, deletes with Undo', async () => {
    await newBlankWorkflow(page);
    const count = await page.locator('.wf-row').count();
    const row = rowOf(page, 'Untitled workflow');
    await row.getByRole('button', { name: 'Rename Untitled workflow' }).click();
    const nameInput = page.getByLabel('New name for Untitled workflow');
    await nameInput.fill('Signup alerts');
    await nameInput.press('Enter');
    await rowOf(page, 'Signup alerts').waitFor();
    await page.getByRole('heading', { name: 'Signup alerts', level: 1 }).waitFor();

    await rowOf(page, 'Signup alerts')
      .getByRole('button', { name: 'Duplicate Signup alerts' })
      .click();
    await expect.poll(() => page.locator('.wf-row').count()).toBe(count + 1);

    await rowOf(page, 'Signup alerts')
      .first()
      .getByRole('button', { name: 'Delete Signup alerts' })
      .click();
    await expect.poll(() => page.locator('.wf-row').count()).toBe(count);
    await screenshot(page, '13-deleted-undo-toast');
    await page.locator('.toast').getByRole('button', { name: 'Undo' }).click();
    await expect.poll(() => page.locator('.wf-row').count()).toBe(count + 1);

    await page.getByLabel('Search workflows').fill('signup');
    await expect.poll(() => page.locator('.wf-row').count()).toBe(2);
    await page.getByLabel('Search workflows').fill('');
    await expect.poll(() => page.locator('.wf-row').count()).toBe(count + 1);
  });

  it('restores an older version as a new version', async () => {
    await page
      .getByRole('button', { name: /Clean up a CSV export/ })
      .first()
      .click();
    await page.getByRole('heading', { name: 'Clean up a CSV export', level: 1 }).waitFor();
    const before = await page.locator('.react-flow__node').count();
    await page.getByRole('button', { name: 'Layout' }).click(); // some edit
    await page
      .getByTestId(
        `node-${await page.locator('.react-flow__node').first().getAttribute('data-id')}`,
      )
      .click();
    await page.keyboard.press('Delete');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(before - 1);
    await page.keyboard.press('Control+s');
    await page.getByTestId('save-state').filter({ hasText: 'Saved · v2' }).waitFor();
    await page.getByRole('button', { name: 'Versions' }).click();
    await page.getByRole('button', { name: 'Restore version 1' }).waitFor();
    await screenshot(page, '14-versions');
    await page.getByRole('button', { name: 'Restore version 1' }).click();
    await page.getByTestId('save-state').filter({ hasText: 'Saved · v3' }).waitFor();
    expect(await page.locator('.react-flow__node').count()).toBe(before);
  });

  it('shows the keychain status plainly on the connections page, and edits dry-run env in settings', async () => {
    await page.getByRole('button', { name: 'Connections', exact: true }).click();
    const status = page.getByTestId('keychain-status');
    await status.filter({ hasText: /available/ }).waitFor();
    const keychain = await studio.server.services.connections.status();
    expect(await status.innerText()).toContain(
      keychain.keychainAvailable ? 'OS keychain available' : 'No OS keychain available',
    );
    await screenshot(page, '15-connections');

    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByRole('button', { name: '+ Add variable' }).click();
    await page.getByLabel('Variable 1 name').fill('API_URL');
    await page.getByLabel('Variable 1 value').fill('http://127.0.0.1:9');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved.').waitFor();
    expect((await studio.server.services.settings.get()).env).toEqual({
      API_URL: 'http://127.0.0.1:9',
    });

    // A secret value goes to the keychain, or is refused plainly when there is none.
    await page.getByLabel('Variable 1 is secret').check();
    await page.getByRole('button', { name: 'Save settings' }).click();
    if (keychain.keychainAvailable) {
      await page.getByText('Settings saved.').waitFor();
      expect((await studio.server.services.settings.get()).secretEnvKeys).toEqual(['API_URL']);
    } else {
      await page.getByRole('alert').filter({ hasText: 'No OS keychain is available' }).waitFor();
      expect((await studio.server.services.settings.get()).secretEnvKeys).toEqual([]);
    }
    await screenshot(page, '16-settings');
    await page.getByRole('button', { name: 'Editor' }).click();
  });

  it('logged no error in the page', () => {
    expect(errors).toEqual([]);
  });
});

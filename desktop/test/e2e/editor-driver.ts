/** Page actions the end-to-end tests share, written as a user does them. */
import type { Page } from 'playwright-core';

export async function newBlankWorkflow(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'New workflow', exact: true }).click();
  await page.getByTestId('blank-workflow').click();
  await page.getByTestId('node-start').waitFor();
}

/** HTML5 drag and drop from a palette item onto the canvas, at a point of the canvas. */
export async function dragFromPalette(
  page: Page,
  type: string,
  x: number,
  y: number,
): Promise<void> {
  await page
    .locator(`[data-node-type="${type}"]`)
    .dragTo(page.getByTestId('canvas'), { targetPosition: { x, y } });
}

/** Drags from a node's output port to another node's input, with the mouse. */
export async function connect(page: Page, from: string, port: string, to: string): Promise<void> {
  const source = page.locator(
    `.react-flow__handle[data-nodeid="${from}"][data-handleid="${port}"]`,
  );
  const target = page.locator(`.react-flow__handle[data-nodeid="${to}"][data-handleid="in"]`);
  await source.hover();
  await page.mouse.down();
  const box = (await target.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 8 });
  await page.mouse.up();
}

export async function selectNode(page: Page, id: string): Promise<void> {
  await page.getByTestId(`node-${id}`).click();
  await page
    .locator('#inspector-node-id')
    .and(page.locator(`[value="${id}"]`))
    .waitFor();
}

/** Opens the run dialog, types the input and waits for the run to end. Returns the run status. */
export async function dryRun(page: Page, input: unknown): Promise<string> {
  await page.getByRole('button', { name: '▶ Run' }).click();
  await page.getByLabel('Input (JSON)').fill(JSON.stringify(input, null, 2));
  await page.getByTestId('start-run').click();
  const status = page.locator(
    '[data-testid="run-status"]:is([data-status="success"], [data-status="failed"], [data-status="canceled"])',
  );
  await status.waitFor({ timeout: 20_000 });
  return (await status.getAttribute('data-status')) ?? '';
}

export async function nodeBadge(page: Page, id: string): Promise<string | null> {
  return page.getByTestId(`node-${id}`).getByTestId('run-badge').getAttribute('data-status');
}

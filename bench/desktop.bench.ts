/**
 * Desktop designer figures, through the browser host in Debian Chromium:
 * time to open a 25-node workflow and render it, and dry-run latency from the
 * click on "Run now" to the first node badge. Prints a table; asserts nothing.
 */
import type { Workflow } from '../shared/src/model/workflow';
import { openPage, startStudio } from '../desktop/test/e2e/harness';

const ROUNDS = 10;

/** A manual trigger and 24 chained transforms: 25 nodes, the business-rule maximum of steps. */
function workflowOf(name: string): Workflow {
  const nodes: Workflow['nodes'] = [
    { id: 'start', type: 'trigger.manual', position: { x: 0, y: 0 } },
  ];
  const edges: Workflow['edges'] = [];
  for (let i = 1; i < 25; i += 1) {
    nodes.push({
      id: `step${i}`,
      type: 'transform',
      config: {
        value: { n: i, previous: i === 1 ? '{{ trigger }}' : `{{ steps.step${i - 1}.n }}` },
      },
      position: { x: (i % 6) * 300, y: Math.floor(i / 6) * 140 },
    });
    edges.push({ from: i === 1 ? 'start' : `step${i - 1}`, to: `step${i}` });
  }
  return { format: 'maestro/workflow@1', name, nodes, edges };
}

function stats(samples: number[]): Record<string, number> {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const ms = (value: number) => Math.round(value);
  return {
    'median ms': ms(at(0.5)),
    'p90 ms': ms(at(0.9)),
    'min ms': ms(sorted[0]!),
    'max ms': ms(sorted.at(-1)!),
  };
}

const studio = await startStudio();
try {
  const a = studio.server.services.workflows.create({ document: workflowOf('Bench A') });
  const b = studio.server.services.workflows.create({ document: workflowOf('Bench B') });
  const { page } = await openPage(studio);
  page.setDefaultTimeout(30_000);

  const open: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const name = round % 2 === 0 ? 'Bench A' : 'Bench B';
    await page.getByRole('button', { name: new RegExp(`^${name}`) }).waitFor();
    const started = performance.now();
    await page.getByRole('button', { name: new RegExp(`^${name}`) }).click();
    await page.getByRole('heading', { name, level: 1 }).waitFor();
    // Rendered = all 25 nodes measured by React Flow (it hides unmeasured nodes).
    await page.waitForFunction(
      `document.querySelectorAll('.react-flow__node').length === 25 &&
       [...document.querySelectorAll('.react-flow__node')].every((n) => n.style.visibility !== 'hidden') &&
       document.querySelectorAll('.react-flow__edge').length === 24`,
    );
    open.push(performance.now() - started);
  }

  const firstBadge: number[] = [];
  const wholeRun: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    await page.getByRole('button', { name: '▶ Run' }).click();
    await page.getByLabel('Input (JSON)').fill('{ "round": 1 }');
    const started = performance.now();
    await page.getByTestId('start-run').click();
    await page.getByTestId('run-badge').first().waitFor();
    firstBadge.push(performance.now() - started);
    await page.locator('[data-testid="run-status"][data-status="success"]').waitFor();
    wholeRun.push(performance.now() - started);
  }

  console.log(
    `ids: ${a.id} ${b.id}; ${ROUNDS} rounds each, Chromium headless, browser host on 127.0.0.1`,
  );
  console.table({
    'open + render a 25-node workflow': stats(open),
    'dry-run: click → first node badge': stats(firstBadge),
    'dry-run: click → run success (25 badges)': stats(wholeRun),
  });
} finally {
  await studio.close();
}

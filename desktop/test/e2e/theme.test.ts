/**
 * The theme setting in Chromium through the browser host: `system` follows the
 * emulated prefers-color-scheme live, light and dark force it from the Settings
 * page (keyboard only), the choice survives a reload and is applied before the
 * app's script runs, a new browser profile gets it from the settings, and axe
 * finds no serious violation (colour contrast included) in dark mode.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations, tabTo } from './a11y-driver';
import { dryRun, newBlankWorkflow, nodeBadge } from './editor-driver';
import type { Studio } from './harness';
import { openPage, screenshot, startStudio } from './harness';

/** The machine is shared: axe runs take their time. */
const E2E_TIMEOUT_MS = 120_000;

/** `--bg` of each palette in app.css, as getComputedStyle reports it. */
const BACKGROUND = { light: 'rgb(246, 247, 249)', dark: 'rgb(15, 19, 25)' };

async function shownTheme(page: Page) {
  return page.locator('html').evaluate((root) => {
    const style = root.ownerDocument.defaultView!.getComputedStyle(root);
    return {
      theme: root.getAttribute('data-theme'),
      colorScheme: style.colorScheme,
      background: style.backgroundColor,
    };
  });
}

const looksLike = (theme: 'light' | 'dark') => ({
  theme,
  colorScheme: theme,
  background: BACKGROUND[theme],
});

/** Text and the surface it sits on in app.css: WCAG AA wants 4.5:1 (3:1 for graphics, below). */
const TEXT_PAIRS: [string, string][] = [
  ['text', 'bg'],
  ['text', 'panel'],
  ['text', 'input-bg'],
  ['text', 'hover'],
  ['text', 'subtle'],
  ['text', 'danger-tint'],
  ['text-secondary', 'subtle'],
  ['muted', 'bg'],
  ['muted', 'panel'],
  ['muted', 'subtle'],
  ['muted', 'neutral-weak'],
  ['neutral', 'neutral-weak'],
  ['accent', 'panel'],
  ['accent', 'accent-weak'],
  ['running', 'accent-weak'],
  ['on-accent', 'accent'],
  ['on-accent', 'accent-hover'],
  ['on-accent', 'muted'],
  ['on-accent', 'cat-trigger'],
  ['on-accent', 'cat-action'],
  ['on-accent', 'cat-data'],
  ['on-accent', 'cat-logic'],
  ['on-accent', 'cat-flow'],
  ['success', 'panel'],
  ['success', 'success-weak'],
  ['success-strong', 'success-weak'],
  ['danger', 'panel'],
  ['danger', 'danger-weak'],
  ['warn', 'panel'],
  ['warn', 'warn-weak'],
  ['warn-strong', 'warn-weak'],
  ['toast-text', 'toast-bg'],
  ['toast-text', 'toast-error-bg'],
  ['toast-text', 'toast-success-bg'],
  ['toast-muted', 'toast-bg'],
];
/** The focus ring, canvas edges and ports against what they are drawn on (WCAG 1.4.11). */
const GRAPHIC_PAIRS: [string, string][] = [
  ['focus', 'panel'],
  ['focus', 'bg'],
  ['edge', 'bg'],
  ['handle', 'panel'],
  ['handle-in', 'panel'],
];

/** Relative luminance (WCAG 2) of a computed `rgb(r, g, b)` colour. */
function luminance(rgb: string): number {
  const channels = rgb.match(/^rgb\((\d+), (\d+), (\d+)\)$/);
  if (!channels) throw new Error(`not an opaque rgb() colour: ${rgb}`);
  const [r, g, b] = channels.slice(1).map((c) => {
    const v = Number(c) / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

const contrast = (a: string, b: string) => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return Math.round(((hi! + 0.05) / (lo! + 0.05)) * 100) / 100;
};

/** The pairs of a palette below `min`, as read from the page's stylesheet. */
async function weakPairs(
  page: Page,
  theme: 'light' | 'dark',
  pairs: [string, string][],
  min: number,
) {
  const names = [...new Set(pairs.flat())];
  const values = await page.locator('html').evaluate(
    (root, { theme, names }) => {
      const { ownerDocument } = root;
      const shown = root.getAttribute('data-theme');
      root.setAttribute('data-theme', theme);
      // A probe resolves each variable to the rgb() the browser paints, whatever its notation.
      const probe = ownerDocument.body.appendChild(ownerDocument.createElement('span'));
      const read = Object.fromEntries(
        names.map((n) => {
          probe.style.color = `var(--${n})`;
          return [n, ownerDocument.defaultView!.getComputedStyle(probe).color];
        }),
      );
      probe.remove();
      root.setAttribute('data-theme', shown ?? 'light');
      return read;
    },
    { theme, names },
  );
  return pairs
    .map(([fg, bg]) => ({
      pair: `${theme}: --${fg} on --${bg}`,
      ratio: contrast(values[fg]!, values[bg]!),
    }))
    .filter(({ ratio }) => ratio < min);
}

async function showSettings(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await page.getByRole('group', { name: 'Theme' }).waitFor();
}

describe('theme (browser host, Chromium)', () => {
  let studio: Studio;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    studio = await startStudio();
    ({ page, errors } = await openPage(studio));
  }, E2E_TIMEOUT_MS);

  afterAll(async () => {
    await studio?.close();
  });

  it('follows the system scheme, live, while the setting is "system"', async () => {
    expect((await studio.server.services.settings.get()).theme).toBe('system');
    await page.emulateMedia({ colorScheme: 'light' });
    await expect.poll(() => shownTheme(page)).toEqual(looksLike('light'));
    await newBlankWorkflow(page);
    await expect(page.locator('.react-flow').getAttribute('class')).resolves.toMatch(/\blight\b/);

    await page.emulateMedia({ colorScheme: 'dark' });
    await expect.poll(() => shownTheme(page)).toEqual(looksLike('dark'));
    // React Flow gets the same colour mode.
    await expect.poll(() => page.locator('.react-flow').getAttribute('class')).toMatch(/\bdark\b/);
    await screenshot(page, '60-theme-system-dark');
  });

  it('forces light from the Settings page with the keyboard, over a dark system, and keeps it', async () => {
    await showSettings(page);
    const system = page.getByRole('radio', { name: 'Match the system' });
    expect(await system.isChecked()).toBe(true);
    await tabTo(page, system);
    await page.keyboard.press('ArrowDown');
    expect(await page.getByRole('radio', { name: 'Light' }).isChecked()).toBe(true);
    // Applied at once, before the save has answered.
    await expect.poll(() => shownTheme(page)).toEqual(looksLike('light'));
    await page.getByText('Theme saved.').waitFor();
    expect((await studio.server.services.settings.get()).theme).toBe('light');

    await page.reload();
    await page.getByRole('heading', { name: 'Workflows' }).waitFor();
    expect(await shownTheme(page)).toEqual(looksLike('light'));
  });

  it('forces dark over a light system; after a reload it is there before the app script runs', async () => {
    await page.emulateMedia({ colorScheme: 'light' });
    await showSettings(page);
    await tabTo(page, page.getByRole('radio', { name: 'Light' }));
    await page.keyboard.press('ArrowDown');
    expect(await page.getByRole('radio', { name: 'Dark' }).isChecked()).toBe(true);
    await expect.poll(() => shownTheme(page)).toEqual(looksLike('dark'));
    await page.getByText('Theme saved.').first().waitFor();
    expect((await studio.server.services.settings.get()).theme).toBe('dark');

    // Without the app's bundle only index.html, the stylesheet and the boot script run: the
    // theme they show is the one of the first paint.
    const appScript = /\/assets\/index-[^/]*\.js$/;
    let blocked = 0;
    await page.route(appScript, (route) => {
      blocked += 1;
      return route.abort();
    });
    const errorsBefore = errors.length;
    await page.reload();
    expect(await shownTheme(page)).toEqual(looksLike('dark'));
    expect(await page.locator('#root').innerHTML()).toBe('');
    expect(blocked).toBe(1);
    await page.unroute(appScript);
    errors.splice(errorsBefore); // the blocked bundle's load error, on purpose

    await page.reload();
    await page.getByRole('heading', { name: 'Workflows' }).waitFor();
    expect(await shownTheme(page)).toEqual(looksLike('dark'));
    await showSettings(page);
    expect(await page.getByRole('radio', { name: 'Dark' }).isChecked()).toBe(true);
  });

  it('a new browser profile (nothing stored) takes the theme from the settings', async () => {
    const other = await openPage(studio);
    try {
      await other.page.emulateMedia({ colorScheme: 'light' });
      await expect.poll(() => shownTheme(other.page)).toEqual(looksLike('dark'));
      expect(other.errors).toEqual([]);
    } finally {
      await other.page.context().close();
    }
  });

  it(
    'has no serious axe violation in dark mode on the designer, runner and settings pages',
    async () => {
      // The designer with a run's badges (a success and a failure) and a step selected.
      await page.getByRole('button', { name: 'Editor', exact: true }).click();
      await newBlankWorkflow(page);
      await page.locator('.react-flow__node[data-id="start"]').click();
      await page.keyboard.press('Control+k');
      await page.keyboard.type('fail');
      await page.keyboard.press('Enter');
      await page.locator('#inspector-node-id[value="fail"]').waitFor();
      await page.getByLabel('Message').fill('Stopped on purpose');
      await expect.poll(() => page.getByTestId('problems').count()).toBe(0);
      expect(await dryRun(page, {})).toBe('failed');
      expect(await nodeBadge(page, 'start')).toBe('success');
      expect(await nodeBadge(page, 'fail')).toBe('failed');
      await page.getByRole('button', { name: 'Fit', exact: true }).click();
      await page.getByTestId('node-start').click();

      const found: Record<string, string[]> = {};
      const check = async (name: string) => {
        expect(await shownTheme(page)).toEqual(looksLike('dark'));
        await screenshot(page, `61-theme-dark-${name}`);
        found[name] = await seriousViolations(page);
      };
      await check('designer');
      await page.keyboard.press('?');
      await page.getByRole('dialog').waitFor();
      await check('help dialog');
      await page.keyboard.press('Escape');
      await page.getByRole('button', { name: 'Runner', exact: true }).click();
      await page.getByRole('heading', { name: 'Runner', exact: true }).waitFor();
      await check('runner');
      await page.getByRole('button', { name: 'Executions', exact: true }).click();
      await page.getByRole('heading', { name: 'Executions', exact: true }).waitFor();
      await check('executions');
      await showSettings(page);
      await check('settings');
      expect(found).toEqual({
        designer: [],
        'help dialog': [],
        runner: [],
        executions: [],
        settings: [],
      });
    },
    E2E_TIMEOUT_MS,
  );

  it('both palettes meet AA contrast, also for the tones no screen above showed', async () => {
    for (const theme of ['light', 'dark'] as const) {
      expect(await weakPairs(page, theme, TEXT_PAIRS, 4.5)).toEqual([]);
      expect(await weakPairs(page, theme, GRAPHIC_PAIRS, 3)).toEqual([]);
    }
  });

  it('logged no error in the page', () => {
    expect(errors).toEqual([]);
  });
});

/** Keyboard and axe-core checks the end-to-end tests share. */
import AxeBuilder from '@axe-core/playwright';
import type { Locator, Page } from 'playwright-core';

/** Presses Tab until `target` has focus, as a keyboard user would; fails past `max` presses. */
export async function tabTo(page: Page, target: Locator, max = 80): Promise<number> {
  const started = Date.now();
  await target.waitFor({ state: 'attached' });
  for (let presses = 1; presses <= max; presses += 1) {
    await page.keyboard.press('Tab');
    if (await target.evaluate((el) => el.matches(':focus'))) {
      if (process.env.E2E_TRACE)
        console.log(`tabTo ${target.toString()}: ${presses} presses, ${Date.now() - started} ms`);
      return presses;
    }
  }
  throw new Error(`Tab never reached ${target.toString()} in ${max} presses`);
}

/** Serious and critical axe violations, in a form that reads well in a failed assertion. */
export async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} — ${v.nodes
          .map((n) => n.target.join(' '))
          .slice(0, 3)
          .join(', ')}`,
    );
}

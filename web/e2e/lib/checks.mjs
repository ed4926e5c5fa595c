// What every page must pass: axe-core finds no serious or critical violation, at desktop width and at
// 375 px, where the page must not scroll sideways. Screenshots of each page go to the screenshot folder.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const DESKTOP = { width: 1366, height: 900 };
export const MOBILE = { width: 375, height: 812 };

/** Runs axe on the page; returns the serious and critical violations. */
export async function axeViolations(page) {
  const loaded = await page.evaluate(() => typeof window.axe !== 'undefined');
  // Evaluated through the DevTools protocol rather than added as a <script>: the server's Content Security
  // Policy (script-src 'self') rightly refuses inline scripts, and the test should not weaken it.
  if (!loaded) await page.evaluate(`${AXE_SOURCE}\n;void 0`);
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
    }));
  });
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** How far the page is wider than the viewport (0 when it does not scroll sideways). */
export async function horizontalOverflow(page) {
  return page.evaluate(
    () => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - window.innerWidth,
  );
}

/** The elements sticking out to the right that no scrolling container clips: what makes the page wide. */
async function culprits(page) {
  return page.evaluate(() => {
    const out = [];
    const all = [];
    for (const el of document.querySelectorAll('body *')) {
      const box = el.getBoundingClientRect();
      if (box.right <= window.innerWidth + 1) continue;
      let clipped = false;
      // An absolutely positioned element escapes the clipping of ancestors below its containing block.
      let a = getComputedStyle(el).position === 'absolute' ? el.offsetParent : el.parentElement;
      for (; a && !clipped; a = a.parentElement)
        clipped = ['auto', 'hidden', 'scroll', 'clip'].includes(getComputedStyle(a).overflowX);
      const text = `<${el.tagName.toLowerCase()} class="${String(el.className).slice(0, 80)}"> right=${Math.round(box.right)}`;
      (clipped ? all : out).push(text);
    }
    return out.length ? out.slice(0, 5) : ['(all clipped)', ...all.slice(0, 5)];
  });
}

/**
 * Checks the page as it is now at both widths, saving `<name>.png` and `<name>-375.png`. Throws with every
 * problem found.
 */
export async function checkPage(page, name, screenshots) {
  const problems = [];
  // Hover effects (chart tooltips) are not the page; move the pointer out of the way.
  await page.mouse.move(0, 0);
  await page.setViewportSize(DESKTOP);
  await page.waitForTimeout(150);
  for (const v of await axeViolations(page))
    problems.push(`${name}: axe ${v.impact} ${v.id} (${v.help}) at ${v.nodes.join(', ')}`);
  await page.screenshot({ path: path.join(screenshots, `${name}.png`), fullPage: true });
  await page.setViewportSize(MOBILE);
  await page.waitForTimeout(250);
  const overflow = await horizontalOverflow(page);
  if (overflow > 1)
    problems.push(
      `${name}: at 375 px the page is ${overflow} px wider than the screen: ${(await culprits(page)).join('; ')}`,
    );
  for (const v of await axeViolations(page))
    problems.push(`${name} (375 px): axe ${v.impact} ${v.id} (${v.help}) at ${v.nodes.join(', ')}`);
  await page.screenshot({ path: path.join(screenshots, `${name}-375.png`), fullPage: true });
  await page.setViewportSize(DESKTOP);
  if (problems.length) throw new Error(problems.join('\n'));
}

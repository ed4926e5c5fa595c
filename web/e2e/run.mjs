// Browser tests of the web UI against the real binary: playwright-core drives Debian's Chromium
// (/usr/bin/chromium, never a downloaded browser) through the issue's flows, with an accessibility and
// 375 px check of every main page and a screenshot of each (e2e/screenshots, git-ignored).
//
//   CONVERGE_BIN=target/debug/converge node e2e/run.mjs
//
// Ends with one line "N passed, N failed"; exits non-zero if any step failed. Steps depend on each other,
// so the first failure stops the run (its page is screenshot as failure-<n>.png, logs are in e2e/out/;
// E2E_KEEP_GOING=1 runs the rest anyway).
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

import { flows } from './flows.mjs';
import { freePort, startConverge, startProvider, stopAll } from './lib/processes.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = process.env.CONVERGE_BIN;
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const screenshots = process.env.E2E_SCREENSHOTS ?? path.join(here, 'screenshots');
const out = path.join(here, 'out');
const STEP_TIMEOUT_MS = 180_000;

if (!bin) {
  console.error('CONVERGE_BIN must name the converge binary (cargo build --bin converge; target/debug/converge)');
  process.exit(2);
}
rmSync(screenshots, { recursive: true, force: true });
rmSync(out, { recursive: true, force: true });
mkdirSync(screenshots, { recursive: true });
mkdirSync(out, { recursive: true });

const started = Date.now();
let passed = 0;
let failed = 0;
let total = 0;
let browser;
try {
  const port = await freePort();
  const provider = await startProvider(`http://127.0.0.1:${port}/api/v1/auth/oidc/test/callback`, out);
  const converge = await startConverge({ bin, port, issuer: provider.issuer, logDir: out });
  console.log(
    `converge on ${converge.base}, OpenID provider on ${provider.issuer} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );

  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    timeout: 60_000,
  });
  const context = await browser.newContext({
    viewport: { width: 1366, height: 900 },
    locale: 'en-GB',
    timezoneId: 'Asia/Kolkata',
  });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  page.setDefaultNavigationTimeout(30_000);
  const consoleErrors = [];
  page.on('pageerror', (err) => consoleErrors.push(String(err)));
  // The app must work under the server's Content Security Policy: a violation is a failure.
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) consoleErrors.push(message.text());
  });
  // Only this machine: anything else the page asks for is refused and reported.
  const offsite = [];
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === '127.0.0.1' || url.hostname === 'localhost') return route.continue();
    offsite.push(url.href);
    return route.abort();
  });

  const steps = flows({ base: converge.base, token: converge.token, screenshots });
  total = steps.length;
  for (const [index, [name, step]] of steps.entries()) {
    const t0 = Date.now();
    try {
      await Promise.race([
        step({ page, context }),
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error(`step timed out after ${STEP_TIMEOUT_MS} ms`)), STEP_TIMEOUT_MS),
        ),
      ]);
      if (consoleErrors.length) throw new Error(`errors in the page: ${consoleErrors.join('; ')}`);
      passed++;
      console.log(`ok ${index + 1} - ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    } catch (err) {
      failed++;
      console.log(
        `not ok ${index + 1} - ${name}\n  ${String(err.stack ?? err)
          .split('\n')
          .join('\n  ')}`,
      );
      await page
        .screenshot({ path: path.join(screenshots, `failure-${index + 1}.png`), fullPage: true })
        .catch(() => {});
      console.log(`  page: ${page.url()}; logs in ${out}`);
      // E2E_KEEP_GOING=1 (development): carry on, knowing later steps may fail for this one's sake.
      if (process.env.E2E_KEEP_GOING !== '1') break;
    }
  }
  if (offsite.length) {
    failed++;
    console.log(`not ok - the page asked for other hosts: ${[...new Set(offsite)].join(', ')}`);
  }
} catch (err) {
  failed++;
  console.log(`not ok - setting up: ${err.stack ?? err}`);
} finally {
  await browser?.close().catch(() => {});
  stopAll();
}
console.log(`screenshots in ${screenshots}; ${((Date.now() - started) / 1000).toFixed(1)} s in all`);
const skipped = Math.max(0, total - passed - failed);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed === 0 ? 0 : 1);

// First-load timing of the web UI (bench/web.sh): a fresh browser context each time (cold HTTP cache),
// Navigation Timing from Chromium, and the time until the page shows its heading. Signs in once through the
// API so the signed-in dashboard can be measured too.
//
//   node e2e/bench-load.mjs <base URL> <e-mail> <password> [runs]
import { chromium } from 'playwright-core';

const [base, email, password, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 10);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
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
});

async function measure(path, heading, cookies) {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  if (cookies) await context.addCookies(cookies);
  // In the page: when the heading first appears, on the page's own clock (navigation start = 0).
  await context.addInitScript((text) => {
    const seen = () => [...document.querySelectorAll('h1')].some((h) => h.textContent === text);
    new MutationObserver((_, observer) => {
      if (seen()) {
        window.__headingAt = performance.now();
        observer.disconnect();
      }
    }).observe(document, { childList: true, subtree: true, characterData: true });
  }, heading);
  const page = await context.newPage();
  const t0 = Date.now();
  await page.goto(`${base}${path}`, { waitUntil: 'load', timeout: 30_000 });
  await page.getByRole('heading', { level: 1, name: heading }).waitFor({ timeout: 30_000 });
  const visible = Date.now() - t0;
  const nav = await page.evaluate(() => {
    const [n] = performance.getEntriesByType('navigation');
    const bytes = performance
      .getEntriesByType('resource')
      .reduce((sum, r) => sum + (r.transferSize || 0), n.transferSize || 0);
    return {
      ttfb: n.responseStart,
      dcl: n.domContentLoadedEventEnd,
      load: n.loadEventEnd,
      shown: window.__headingAt,
      bytes,
    };
  });
  await context.close();
  return { ...nav, visible };
}

function stats(samples, key) {
  const sorted = samples.map((s) => s[key]).sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { p50: Math.round(at(0.5)), p95: Math.round(at(0.95)), max: Math.round(sorted[sorted.length - 1]) };
}

// Sign in once; reuse the session cookie for the dashboard runs.
const login = await browser.newContext();
const response = await login.request.post(`${base}/api/v1/auth/login`, { data: { email, password } });
if (!response.ok()) throw new Error(`sign-in failed: ${response.status()} ${await response.text()}`);
const cookies = await login.cookies();
await login.close();

const report = {};
for (const [name, path, heading, withCookies] of [
  ['sign-in page (signed out)', '/sign-in', 'Sign in to Converge', false],
  ['dashboard (signed in)', '/', 'Dashboard', true],
]) {
  await measure(path, heading, withCookies ? cookies : undefined); // warm the server, not the browser
  const samples = [];
  for (let i = 0; i < runs; i++) samples.push(await measure(path, heading, withCookies ? cookies : undefined));
  report[name] = {
    runs,
    'DOMContentLoaded ms': stats(samples, 'dcl'),
    'load event ms': stats(samples, 'load'),
    'heading shown ms (page clock)': stats(samples, 'shown'),
    'heading seen by the driver ms': stats(samples, 'visible'),
    'bytes transferred': Math.round(samples.reduce((s, x) => s + x.bytes, 0) / samples.length),
  };
}
await browser.close();
console.log(JSON.stringify(report, null, 2));

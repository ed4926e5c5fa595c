// The real peers of the browser tests: the converge binary (CONVERGE_BIN) on a fresh data directory, and the
// OpenID provider of crates/server/tests/oidc-provider. Every wait is bounded; everything is on 127.0.0.1.
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(fileURLToPath(new URL('../../..', import.meta.url)));
export const PROVIDER_DIR = path.join(REPO, 'crates/server/tests/oidc-provider');
export const WEB_CLIENT = { id: 'converge-web', secret: 'converge-web-secret-0123456789abcdef' };

/** A port nobody listens on right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `probe` until it returns a truthy value, for at most `timeoutMs`. */
export async function waitFor(what, probe, { timeoutMs = 30_000, intervalMs = 200 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    await sleep(intervalMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last.message}` : ''}`);
}

const children = new Set();
export function stopAll() {
  for (const child of children) {
    if (child.exitCode === null) child.kill('SIGTERM');
  }
}
process.on('exit', stopAll);

/** Starts the test OpenID provider with the web client's callback registered. */
export async function startProvider(redirectUri, logDir) {
  const log = openSync(path.join(logDir, 'oidc-provider.log'), 'a');
  const child = spawn(process.execPath, ['server.mjs'], {
    cwd: PROVIDER_DIR,
    env: { ...process.env, PORT: '0', CONVERGE_WEB_REDIRECT_URI: redirectUri },
    stdio: ['ignore', 'pipe', log],
  });
  children.add(child);
  const lines = readline.createInterface({ input: child.stdout });
  const first = await Promise.race([
    new Promise((resolve) => lines.once('line', resolve)),
    new Promise((resolve) => child.once('exit', () => resolve(null))),
    sleep(30_000).then(() => null),
  ]);
  const port = first && JSON.parse(first).port;
  if (!port) throw new Error(`the OpenID provider did not start; see ${logDir}/oidc-provider.log`);
  return { issuer: `http://127.0.0.1:${port}`, child };
}

function run(bin, args, env, logFile, timeoutMs) {
  return new Promise((resolve, reject) => {
    const log = openSync(logFile, 'a');
    const child = spawn(bin, args, { env, stdio: ['ignore', log, log] });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${path.basename(bin)} ${args[0]} took more than ${timeoutMs} ms; see ${logFile}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${path.basename(bin)} ${args.join(' ')} exited with ${code}; see ${logFile}`));
    });
  });
}

/**
 * Starts `converge serve` on a fresh data directory with the sample data and the test provider configured.
 * Returns its URL, the one-time setup token it printed, and the paths of its files.
 */
export async function startConverge({ bin, port, issuer, logDir, customers = 400, orders = 2000 }) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'converge-web-e2e-'));
  const base = `http://127.0.0.1:${port}`;
  const config = path.join(dataDir, 'converge.toml');
  writeFileSync(
    config,
    `[[auth.providers]]
name = "test"
display_name = "Test provider"
issuer = "${issuer}"
client_id = "${WEB_CLIENT.id}"
client_secret = "${WEB_CLIENT.secret}"
redirect_url = "${base}/api/v1/auth/oidc/test/callback"

# The e-mail test's own SMTP server (lib/smtp.mjs) listens on this machine, which the egress policy
# refuses to workspaces unless the operator allows it.
[egress]
allow = ["127.0.0.1"]
`,
  );
  // The binary reads every CONVERGE_* variable as a setting (and refuses unknown ones): pass none of ours.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('CONVERGE_')));
  const logFile = path.join(logDir, 'converge.log');
  await run(
    bin,
    ['demo', '--data-dir', dataDir, '--customers', String(customers), '--orders', String(orders)],
    env,
    logFile,
    120_000,
  );
  const serveLog = path.join(logDir, 'converge-serve.log');
  const out = openSync(serveLog, 'a');
  // E2E_UI_PROXY=1 (development only): the binary listens elsewhere and lib/proxy.mjs serves the UI on `port`.
  const proxied = process.env.E2E_UI_PROXY === '1';
  const listen = proxied ? await freePort() : port;
  if (proxied) {
    const { startProxy } = await import('./proxy.mjs');
    const proxy = await startProxy(port, listen);
    proxy.unref();
    console.log(`E2E_UI_PROXY=1: web/dist served by the test's proxy on ${port}, converge on ${listen}`);
  }
  const child = spawn(bin, ['--config', config, 'serve', '--data-dir', dataDir, '--bind', `127.0.0.1:${listen}`], {
    env,
    stdio: ['ignore', out, out],
  });
  children.add(child);
  child.on('exit', (code) => {
    if (code !== null && code !== 0) console.error(`converge serve exited with ${code}; see ${serveLog}`);
  });
  await waitFor('converge to be ready', async () => (await fetch(`${base}/readyz`)).ok, { timeoutMs: 60_000 });
  const token = await waitFor('the setup token', () => /"token": "([^"]+)"/.exec(readFileSync(serveLog, 'utf8'))?.[1], {
    timeoutMs: 10_000,
  });
  return { base, token, dataDir, child, serveLog };
}

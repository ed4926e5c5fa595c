// A real SMTP server for the browser tests: Debian's aiosmtpd with the channel tests' handler
// (crates/channels/tests/channels/handler.py), which writes every message it receives as one JSON file
// (subject, html, text, …) in a fresh directory. Stopped by `stop()`, or when the test run exits.
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { freePort, REPO, waitFor } from './processes.mjs';

const HANDLER_DIR = path.join(REPO, 'crates/channels/tests/channels');

/** Starts aiosmtpd on 127.0.0.1; returns its port and a function reading the messages received so far. */
export async function startSmtp(logDir) {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'converge-web-smtp-'));
  const log = openSync(path.join(logDir, 'aiosmtpd.log'), 'a');
  const child = spawn(
    '/usr/bin/python3',
    ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`, '-c', 'handler.Handler'],
    {
      env: { ...process.env, PYTHONPATH: HANDLER_DIR, SMTP_OUT: dir },
      stdio: ['ignore', log, log],
    },
  );
  const stop = () => {
    if (child.exitCode === null) child.kill('SIGTERM');
  };
  process.on('exit', stop);
  await waitFor(
    'aiosmtpd to listen',
    () =>
      new Promise((resolve) => {
        const socket = net.connect(port, '127.0.0.1', () => {
          socket.end();
          resolve(true);
        });
        socket.on('error', () => resolve(false));
      }),
    { timeoutMs: 15_000 },
  );
  const messages = () =>
    readdirSync(dir)
      .filter((name) => name.endsWith('.json'))
      .sort()
      .map((name) => JSON.parse(readFileSync(path.join(dir, name), 'utf8')));
  return { port, dir, messages, stop };
}

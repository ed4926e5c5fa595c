// Invitation links in the browser: the owner invites, copies the link shown once, and the invitee (in a
// browser of their own) sets a name and password and lands in the workspace; the owner then sees the
// invitation accepted and both events in the audit log. A revoked or replaced link is dead.
import { apiAsPage, assert, assertEqual } from './lib/app.mjs';
import { checkPage } from './lib/checks.mjs';
import { waitFor } from './lib/processes.mjs';

const INVITEE = { name: 'Dev Rao', email: 'dev.rao@example.com', password: 'a long enough password' };
const DEAD = 'This invitation link no longer works (used, revoked, replaced or expired). Ask for a new one.';

async function heading(page, name) {
  await page.getByRole('heading', { level: 1, name }).waitFor();
}

/**
 * A browser of its own (another person), set up like the run's: same size, locale and time zone, nothing
 * fetched from other hosts, and errors in its pages reported.
 */
async function freshBrowser(context, base) {
  const other = await context.browser().newContext({
    viewport: { width: 1366, height: 900 },
    locale: 'en-GB',
    timezoneId: 'Asia/Kolkata',
  });
  await other.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  const errors = [];
  await other.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === '127.0.0.1' || url.hostname === 'localhost') return route.continue();
    errors.push(`asked another host: ${url.href}`);
    return route.abort();
  });
  const page = await other.newPage();
  page.setDefaultTimeout(20_000);
  page.on('pageerror', (err) => errors.push(String(err)));
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) errors.push(message.text());
  });
  return {
    page,
    async close() {
      await other.close();
      if (errors.length) throw new Error(`errors in the page: ${errors.join('; ')}`);
    },
  };
}

/** Invites `email` as `role` from Settings → Members and returns the link shown. */
async function invite(page, email, role) {
  await page.getByRole('textbox', { name: 'E-mail' }).fill(email);
  await page.getByRole('combobox', { name: 'Role', exact: true }).selectOption(role);
  await page.getByRole('button', { name: 'Invite', exact: true }).click();
  const shown = page.getByTestId('invite-link');
  await shown.getByText(email).waitFor();
  return shown.getByLabel('Invitation link').inputValue();
}

export function invitationFlows({ base, screenshots, owner }, state) {
  return [
    [
      'invite with a local account end to end: the link is copied, the invitee joins, the audit log says so',
      async ({ context }) => {
        const ownerBrowser = await freshBrowser(context, base);
        const invitee = await freshBrowser(context, base);
        try {
          const page = ownerBrowser.page;
          await page.goto(`${base}/sign-in`);
          await page.getByLabel('E-mail').fill(owner.email);
          await page.getByLabel('Password').fill(owner.password);
          await page.getByRole('button', { name: 'Sign in' }).click();
          await heading(page, 'Dashboard');
          await page.goto(`${base}/settings?tab=members`);
          await heading(page, 'Settings');

          const link = await invite(page, INVITEE.email, 'member');
          assert(link.startsWith(`${base}/join?token=`), `the link: ${link}`);
          const shown = page.getByTestId('invite-link');
          // The test server sends e-mail through its default vendor, not its own SMTP: nothing was e-mailed.
          await shown
            .getByText(
              'This workspace sends e-mail through a vendor, so nothing was e-mailed: copy the link and send it yourself.',
            )
            .waitFor();
          await shown.getByRole('button', { name: 'Copy link' }).click();
          await shown.getByRole('button', { name: 'Copied' }).waitFor();
          const copied = await page.evaluate(() => navigator.clipboard.readText());
          assertEqual(copied, link, 'the link on the clipboard');
          const row = page.locator(`tr[data-invitation="${INVITEE.email}"]`);
          await row.getByText('Pending', { exact: true }).waitFor();
          await row.getByText(/^expires in [67] days$/).waitFor();
          await checkPage(page, 'settings-members-invite-link', screenshots);

          // The invitee, in a browser of their own, opens the copied link.
          const join = invitee.page;
          await join.goto(copied);
          await heading(join, /^Join .+ as member$/);
          assertEqual(await join.getByLabel('E-mail').inputValue(), INVITEE.email, 'the address shown');
          assertEqual(await join.getByLabel('E-mail').getAttribute('readonly'), '', 'the address is read-only');
          await checkPage(join, 'join', screenshots);
          await join.getByLabel('Your name').fill(INVITEE.name);
          await join.getByLabel('Password', { exact: true }).fill(INVITEE.password);
          await join.getByLabel('Confirm password').fill('not the same password');
          await join.getByRole('button', { name: /^Join / }).click();
          await join.getByText('The two passwords differ.').waitFor();
          await join.getByLabel('Confirm password').fill(INVITEE.password);
          await join.getByRole('button', { name: /^Join / }).click();
          await heading(join, 'Dashboard');
          await join.getByText(INVITEE.name).first().waitFor();
          const me = await apiAsPage(join, 'GET', '/api/v1/auth/me');
          assertEqual(
            [me.json.email, me.json.name, me.json.workspaces.map((w) => w.role)],
            [INVITEE.email, INVITEE.name, ['member']],
            'the person who joined',
          );
          // The link was for one use.
          await join.goto(copied);
          await join.getByText(DEAD).waitFor();

          // The owner sees the invitation accepted and the new member.
          await page.reload();
          await heading(page, 'Settings');
          await row.getByText('Accepted', { exact: true }).waitFor();
          assertEqual(await row.getByRole('button').count(), 0, 'no actions on an accepted invitation');
          await page.getByRole('region', { name: 'Members' }).getByText(INVITEE.name).waitFor();

          await page.getByRole('link', { name: 'Audit log' }).click();
          await heading(page, 'Audit log');
          const invited = page.locator('tr[data-action="member.invite"]', { hasText: INVITEE.email }).first();
          await invited.getByText(`invited ${INVITEE.email} as member`).waitFor();
          await invited.getByText(owner.name, { exact: true }).waitFor();
          const joined = page.locator('tr[data-action="member.invite_accept"]', { hasText: INVITEE.name }).first();
          await joined.getByText('joined via invitation as member').waitFor();
          await joined.getByText('Details').click();
          await joined.getByText('"via": "link"').waitFor();
          await checkPage(page, 'audit-log', screenshots);
          // Older entries page in by the cursor, each once.
          const rows = page.getByRole('region', { name: 'Audit log' }).locator('tbody tr');
          const before = await rows.count();
          const more = page.getByRole('button', { name: 'Load more' });
          if (before === 50) {
            await more.click();
            await waitFor('older entries', async () => (await rows.count()) > before);
            const api = await apiAsPage(page, 'GET', '/api/v1/audit?limit=200');
            assertEqual(await rows.count(), Math.min(100, api.json.items.length), 'entries after Load more');
          } else assertEqual(await more.count(), 0, 'no Load more on the only page');
          state.ownerBrowser = ownerBrowser;
        } catch (err) {
          await ownerBrowser.close().catch(() => {});
          throw err;
        } finally {
          await invitee.close();
        }
      },
    ],
    [
      'a revoked invitation’s link, and a link replaced by a new one, show the dead-link message',
      async ({ context }) => {
        const ownerBrowser = state.ownerBrowser;
        assert(ownerBrowser, 'the owner is signed in (previous step)');
        const visitor = await freshBrowser(context, base);
        try {
          const page = ownerBrowser.page;
          await page.goto(`${base}/settings?tab=members`);
          await heading(page, 'Settings');
          const revoked = await invite(page, 'gone@example.com', 'viewer');
          await page.getByRole('button', { name: 'Revoke the invitation of gone@example.com' }).click();
          await waitFor('the revoked invitation to leave the list', async () => {
            const r = await apiAsPage(page, 'GET', '/api/v1/workspace/invitations');
            return !r.json.some((i) => i.email === 'gone@example.com' && i.status === 'pending');
          });

          const first = await invite(page, 'twice@example.com', 'member');
          await page.getByTestId('invite-link').getByRole('button', { name: 'Done' }).click();
          await page.getByRole('button', { name: 'New link for twice@example.com' }).click();
          const shown = page.getByTestId('invite-link');
          await waitFor('a fresh link', async () => (await shown.getByLabel('Invitation link').inputValue()) !== first);
          const second = await shown.getByLabel('Invitation link').inputValue();

          const v = visitor.page;
          for (const dead of [revoked, first]) {
            await v.goto(dead);
            await v.getByText(DEAD).waitFor();
          }
          await checkPage(v, 'join-dead-link', screenshots);
          await v.goto(second);
          await heading(v, /^Join .+ as member$/);
        } finally {
          await visitor.close();
          await ownerBrowser.close();
          state.ownerBrowser = undefined;
        }
      },
    ],
  ];
}

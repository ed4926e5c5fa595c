// The browser flows of the issue, in order; each step builds on the previous ones.
import { readFile } from 'node:fs/promises';

import { apiAsPage, assert, assertEqual, numberIn } from './lib/app.mjs';
import { customerChannelFlows } from './customers-channels.mjs';
import { draftFlows } from './drafts.mjs';
import { emailBlockFlows } from './email-blocks.mjs';
import { invitationFlows } from './invitations.mjs';
import { checkPage } from './lib/checks.mjs';
import { waitFor } from './lib/processes.mjs';

const OWNER = { name: 'Olivia Owner', email: 'owner@example.com', password: 'correct horse battery staple' };
/** fixtures.json of the OpenID provider: alice's verified address, invited here as an admin (she accepts). */
const ALICE = { account: 'alice', email: 'alice.martin@example.com', name: 'Alice Martin' };

/** What the Brand settings are set to (Settings → Brand). */
const BRAND = { name: 'Tanvi Sweets', address: '12 MG Road\nPune 411001\nIndia' };

const NESTED_RULE = {
  combinator: 'and',
  not: false,
  rules: [
    { field: 'total_spend', operator: '>', value: '5000' },
    {
      combinator: 'or',
      not: false,
      rules: [
        { field: 'visits', operator: '<', value: '8' },
        { field: 'inactive_days', operator: '>=', value: '30' },
      ],
    },
  ],
};

const IMPORT_CSV = [
  'external_id,name,email,city,Loyalty Tier',
  'WEB-IMP-1,Asha Verma,asha@example.in,Pune,gold',
  'WEB-IMP-2,Ravi Kumar,not-an-email,Delhi,silver',
  'WEB-IMP-3,Meera Iyer,meera@example.in,Chennai,gold',
  ',No Id,noid@example.in,Goa,',
  'WEB-IMP-5,Kabir Shah,kabir@example.in,Mumbai,bronze',
  '',
].join('\n');

/**
 * A sign-up export with headings of its own (mapped through the import fields' synonyms), dates written
 * DD/MM/YYYY and national phone numbers: line 3 has a bad e-mail, line 4 repeats line 2's id.
 */
const SIGNUPS_CSV = [
  'Customer Number,Full Name,Email Address,Mobile,Signup Date',
  'WEB-SYN-1,Nisha Rao,nisha@signups.example,9812345602,12/01/2025',
  'WEB-SYN-2,Arjun Das,not-an-email,9812345603,13/01/2025',
  'WEB-SYN-1,Nisha Again,nisha.again@signups.example,9812345604,14/01/2025',
  'WEB-SYN-3,Farah Khan,farah@signups.example,+91 98123 45605,28/02/2025',
  '',
].join('\n');

/** The text of an e-mail's rendered preview, inside its sandboxed frame. */
async function emailPreviewText(page) {
  return (await page.frameLocator('iframe[data-testid="message-preview"]').locator('body').textContent()) ?? '';
}

/** RFC 4180 records (quoted cells may hold commas, quotes and line breaks). */
function parseCsv(text) {
  const records = [];
  let record = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(cell);
      records.push(record);
      record = [];
      cell = '';
      i++;
    } else cell += c;
  }
  if (cell !== '' || record.length) {
    record.push(cell);
    records.push(record);
  }
  return records;
}

/** Clicks "Export CSV" and returns the downloaded file's records, checking the answer was gzip-compressed. */
async function exportCsv(page) {
  const [download, response] = await Promise.all([
    page.waitForEvent('download'),
    page.waitForResponse((r) => r.url().includes('/log?') && r.url().includes('format=csv')),
    page.getByRole('button', { name: 'Export CSV' }).click(),
  ]);
  assertEqual(response.status(), 200, 'the CSV answer');
  assertEqual(await response.headerValue('content-encoding'), 'gzip', 'the CSV answer is compressed, as browsers ask');
  const file = await download.path();
  assert(file, `the download finished (${await download.failure()})`);
  return { name: download.suggestedFilename(), records: parseCsv(await readFile(file, 'utf8')) };
}

async function heading(page, name) {
  await page.getByRole('heading', { level: 1, name }).waitFor();
}

/** Sets one condition of the builder (the `index`-th `.rule` on the page). */
async function setCondition(page, index, field, operator, value) {
  const rule = page.locator('.converge-builder .rule').nth(index);
  await rule.locator('select.rule-fields').selectOption(field);
  await rule.locator('select.rule-operators').selectOption(operator);
  await rule.getByRole('spinbutton').first().fill(value);
}

/** Waits until the audience builder shows `count` as up to date; returns it. */
async function countSettlesOn(page, count) {
  let shown;
  await waitFor(
    `the count shown to equal the API's ${count}`,
    async () => {
      if (!(await page.getByText('Up to date').isVisible())) return false;
      shown = await numberIn(page.getByTestId('audience-count'));
      return shown === count;
    },
    { timeoutMs: 15_000 },
  ).catch((err) => {
    throw new Error(`${err.message} (last shown: ${shown})`);
  });
  return shown;
}

/** The fields of a rule's conditions, depth first. */
function leafFields(rule) {
  return rule.rules.flatMap((r) => ('rules' in r ? leafFields(r) : [r.field]));
}

/** The server's message shown next to the field labelled `label` (it is marked invalid and described by it). */
async function fieldError(page, label) {
  const input = page.getByLabel(label, { exact: true });
  await waitFor(`an error at “${label}”`, async () => (await input.getAttribute('aria-invalid')) === 'true', {
    timeoutMs: 10_000,
  });
  const id = (await input.getAttribute('aria-describedby')).split(' ').find((i) => i.endsWith('-error'));
  assert(id, `“${label}” is described by its error`);
  return page.locator(`[id="${id}"]`).textContent();
}

/** "HH:MM" in UTC, `hours` from now. */
function utcTime(hours) {
  return new Date(Date.now() + hours * 3_600_000).toISOString().slice(11, 16);
}

/** Clicks `button` and returns the downloaded file's name and text. */
async function download(page, button) {
  const [file] = await Promise.all([page.waitForEvent('download'), button.click()]);
  const path = await file.path();
  assert(path, `the download finished (${await file.failure()})`);
  return { name: file.suggestedFilename(), text: await readFile(path, 'utf8') };
}

export function flows(ctx) {
  const { base, token, screenshots } = ctx;
  const state = {};
  return [
    [
      'the first visitor is sent to the setup page, which is accessible',
      async ({ page }) => {
        await page.goto(`${base}/`);
        await heading(page, 'Set up Converge');
        assertEqual(new URL(page.url()).pathname, '/setup', 'where the first visit lands');
        await page.goto(`${base}/setup?token=${encodeURIComponent(token)}`);
        await heading(page, 'Set up Converge');
        await checkPage(page, 'setup', screenshots);
      },
    ],
    [
      'first run: the owner is created from the setup token',
      async ({ page }) => {
        await page.getByLabel('Your name').fill(OWNER.name);
        await page.getByLabel('E-mail').fill(OWNER.email);
        await page.getByLabel('Password').fill(OWNER.password);
        await page.getByRole('button', { name: 'Create owner account' }).click();
        await heading(page, 'Dashboard');
        await page.getByText(OWNER.name).first().waitFor();
      },
    ],
    [
      'the owner invites alice as an admin and signs out; the sign-in page is accessible',
      async ({ page }) => {
        await page.getByRole('link', { name: 'Settings' }).click();
        await heading(page, 'Settings');
        // Brand is the first section; members are the next.
        assertEqual(
          await page.getByRole('tab', { name: 'Brand' }).getAttribute('aria-selected'),
          'true',
          'the section Settings opens on',
        );
        await page.getByRole('tab', { name: 'Members' }).click();
        await page.getByRole('textbox', { name: 'E-mail' }).fill(ALICE.email);
        await page.getByRole('combobox', { name: 'Role', exact: true }).selectOption('admin');
        await page.getByRole('button', { name: 'Invite' }).click();
        await page.getByTestId('invite-link').getByText(ALICE.email).waitFor();
        await page.getByRole('button', { name: 'Sign out' }).click();
        await heading(page, 'Sign in to Converge');
        await page.getByRole('link', { name: 'Continue with Test provider' }).waitFor();
        await checkPage(page, 'sign-in', screenshots);
      },
    ],
    [
      'alice signs in through the real OpenID provider',
      async ({ page }) => {
        await page.getByRole('link', { name: 'Continue with Test provider' }).click();
        await page.getByRole('heading', { name: 'Test provider' }).waitFor();
        await page.getByLabel('Account').fill(ALICE.account);
        await page.getByRole('button', { name: 'Sign in' }).click();
        // Signed in, but invited is not joined: the invitation waits for her to accept it.
        await page.getByRole('button', { name: /^Accept the invitation to / }).click();
        await page.locator('#invitations-title').waitFor({ state: 'detached' });
        // Back where the sign-out left off (the sign-in's return_to), signed in as alice.
        await heading(page, 'Settings');
        // The open section is in the address, so she is back at the members.
        assertEqual(page.url(), `${base}/settings?tab=members`, 'where the sign-in returns to');
        await page.getByRole('link', { name: 'Dashboard' }).click();
        await heading(page, 'Dashboard');
        await page.getByText(ALICE.name).first().waitFor();
        const me = await apiAsPage(page, 'GET', '/api/v1/auth/me');
        assertEqual([me.json.email, me.json.workspaces[0].role], [ALICE.email, 'admin'], 'the signed-in person');
        await page.locator('.recharts-wrapper').first().waitFor();
        await checkPage(page, 'dashboard', screenshots);
      },
    ],
    [
      'a nested rule counts exactly what the API counts, and is saved',
      async ({ page }) => {
        await page.getByRole('link', { name: 'Audiences' }).click();
        await heading(page, 'Audiences');
        await checkPage(page, 'audiences-empty', screenshots);
        await page.getByRole('link', { name: 'New audience' }).first().click();
        await heading(page, 'New audience');
        await page.getByRole('button', { name: '+ Condition' }).first().click();
        await setCondition(page, 0, 'total_spend', '>', '5000');
        await page.getByRole('button', { name: '+ Group' }).first().click();
        const group = page.locator('.converge-builder .ruleGroup .ruleGroup').first();
        await group.locator('select.ruleGroup-combinators').first().selectOption('or');
        await setCondition(page, 1, 'visits', '<', '8');
        await group.getByRole('button', { name: '+ Condition' }).click();
        await setCondition(page, 2, 'inactive_days', '>=', '30');
        const api = await apiAsPage(page, 'POST', '/api/v1/segments/preview', { rule: NESTED_RULE, sample_size: 0 });
        assertEqual(api.status, 200, 'preview status');
        assert(api.json.count > 0, 'the rule matches someone in the sample data');
        // The page asks on its own, 300 ms after the last change; it must settle on the API's number.
        const shown = await countSettlesOn(page, api.json.count);
        const english = await page.getByTestId('rule-english').textContent();
        assert(english.includes('(Visits less than 8 or Days inactive at least 30)'), `plain English: ${english}`);
        state.audienceCount = shown;
        await checkPage(page, 'audience-builder', screenshots);

        await page.getByRole('button', { name: 'Save as segment' }).click();
        const dialog = page.getByRole('dialog');
        await dialog.getByLabel('Name').fill('Big spenders, lapsing');
        await dialog.getByRole('button', { name: 'Save' }).click();
        await page.waitForURL(/\/audiences\/\d+$/);
        state.segmentId = Number(new URL(page.url()).pathname.split('/').pop());
        await heading(page, 'Big spenders, lapsing');
        const saved = await apiAsPage(page, 'GET', `/api/v1/segments/${state.segmentId}`);
        assertEqual(saved.json.rule, NESTED_RULE, 'the saved rule');
        assertEqual(saved.json.size, shown, 'the saved size');
      },
    ],
    [
      'an invalid value shows the server message at its condition; conditions reorder by drag and by button',
      async ({ page }) => {
        await page.goto(`${base}/audiences/new`);
        await heading(page, 'New audience');
        await page.getByRole('button', { name: '+ Condition' }).first().click();
        await setCondition(page, 0, 'visits', '>', '1.5');
        const message = page.locator('.rule-wrapper[data-path="0"] .rule-errors');
        await message.waitFor();
        const text = await message.textContent();
        assert(/whole number/.test(text), `the server's message at the condition: ${text}`);

        // Reordering: drag a condition below another, and move it back with the keyboard-reachable button.
        await page.getByRole('button', { name: '+ Condition' }).first().click();
        await page.locator('.converge-builder .rule').nth(1).locator('select.rule-fields').selectOption('city');
        const order = () =>
          page.locator('.converge-builder select.rule-fields').evaluateAll((els) => els.map((e) => e.value));
        assertEqual(await order(), ['visits', 'city'], 'conditions before dragging');
        const rules = page.locator('.converge-builder .rule');
        await rules.nth(0).locator('.queryBuilder-dragHandle').dragTo(rules.nth(1));
        await waitFor('the drag to reorder', async () => JSON.stringify(await order()) === '["city","visits"]', {
          timeoutMs: 5_000,
        });
        await rules.nth(1).getByRole('button', { name: 'Move this condition up' }).click();
        assertEqual(await order(), ['visits', 'city'], 'conditions after moving one up');
      },
    ],
    [
      'a campaign to the saved segment reaches its final numbers live',
      async ({ page }) => {
        await page.goto(`${base}/campaigns/new?segment=${state.segmentId}`);
        await heading(page, 'New campaign');
        await page.getByLabel('Campaign name').fill('Come back soon');
        await page.getByTestId('segment-count').waitFor();
        assertEqual(
          await numberIn(page.getByTestId('segment-count')),
          state.audienceCount,
          'the segment count in the composer',
        );
        await page
          .getByLabel('Message', { exact: true })
          .fill('Hi {{ first_name | default("there") }}, 20% off in {{ city }} this week! - {{ brand }}');
        await page.getByTestId('message-preview').waitFor();
        await checkPage(page, 'campaign-composer', screenshots);
        await page.getByRole('button', { name: 'Review and send' }).click();
        const dialog = page.getByRole('dialog');
        await dialog.getByText(`goes to ${state.audienceCount.toLocaleString('en-US')} customers`).waitFor();
        // A fresh workspace has no brand name: the dialog says what {{ brand }} will say instead.
        const profile = await apiAsPage(page, 'GET', '/api/v1/workspace');
        assertEqual(profile.json.brand_name, null, 'the brand name of a fresh workspace');
        state.displayName = profile.json.name;
        const warning = dialog.getByTestId('brand-warning');
        await warning.waitFor();
        assertEqual(
          (await warning.textContent())?.trim(),
          `Your brand name is not set: messages will say “${profile.json.name}” where templates use {{ brand }}. Set it in Settings → Brand.`,
          'the brand warning',
        );
        assertEqual(
          await warning.getByRole('link', { name: 'Settings → Brand' }).getAttribute('href'),
          '/settings?tab=brand',
          'the warning links to the Brand settings',
        );
        await checkPage(page, 'campaign-launch-brand-warning', screenshots);
        await dialog.getByRole('button', { name: /^Send to/ }).click();
        await page.waitForURL(/\/campaigns\/\d+$/);
        const id = Number(new URL(page.url()).pathname.split('/').pop());
        state.campaignId = id;
        await heading(page, 'Come back soon');
        const final = await waitFor(
          'the campaign to finish',
          async () => {
            const r = await apiAsPage(page, 'GET', `/api/v1/campaigns/${id}`);
            return r.json.status === 'completed' ? r.json : null;
          },
          { timeoutMs: 120_000, intervalMs: 500 },
        );
        // The page follows on its own (it polls while live).
        await waitFor(
          'the page to show the final numbers',
          async () =>
            (await numberIn(page.getByTestId('stat-pending'))) === 0 &&
            (await numberIn(page.getByTestId('stat-sent'))) === final.stats.sent,
          { timeoutMs: 15_000 },
        );
        assertEqual(await numberIn(page.getByTestId('stat-audience')), final.stats.audience, 'audience shown');
        assertEqual(await numberIn(page.getByTestId('stat-failed')), final.stats.failed, 'failed shown');
        assertEqual(final.stats.audience, state.audienceCount, 'the campaign audience equals the previewed count');
        assertEqual(
          final.stats.sent + final.stats.failed + final.stats.skipped,
          final.stats.audience,
          'every message has an outcome',
        );
        assert(final.stats.sent > 0, 'some messages were sent');
        await page.locator('.recharts-wrapper').first().waitFor();
        await checkPage(page, 'campaign', screenshots);
        // A recipient's page lists the message this campaign sent them.
        await page.getByRole('combobox', { name: 'Status' }).selectOption('SENT');
        const recipient = page.getByRole('region', { name: 'Messages of this campaign' }).locator('tbody tr a').first();
        const who = await recipient.textContent();
        await recipient.click();
        await heading(page, who);
        await page
          .getByRole('region', { name: 'Messages sent to this customer' })
          .getByRole('link', { name: 'Come back soon' })
          .waitFor();
        await page.getByRole('region', { name: 'Messages sent to this customer' }).getByText('Sent').waitFor();
        await checkPage(page, 'customer-with-messages', screenshots);
        await page.goBack();
        await heading(page, 'Come back soon');
        await page.getByRole('link', { name: '← Campaigns' }).click();
        await heading(page, 'Campaigns');
        await page.getByRole('link', { name: 'Come back soon' }).waitFor();
        await checkPage(page, 'campaigns', screenshots);
      },
    ],
    [
      'the communication log downloads as CSV in the browser, every message once',
      async ({ page }) => {
        const id = state.campaignId;
        const r = await apiAsPage(page, 'GET', `/api/v1/campaigns/${id}`);
        const { stats } = r.json;
        await page.goto(`${base}/campaigns/${id}`);
        await heading(page, 'Come back soon');
        const all = await exportCsv(page);
        assertEqual(all.name, `campaign-${id}-log.csv`, 'the file name');
        const [header, ...rows] = all.records;
        assertEqual(header.slice(0, 4), ['id', 'customer_external_id', 'customer_name', 'status'], 'the header row');
        assertEqual(rows.length, stats.audience, 'one row per message');
        assert(
          rows.every((row) => row.length === header.length),
          'every row has every column',
        );
        assertEqual(new Set(rows.map((row) => row[0])).size, rows.length, 'no message twice');
        const sent = rows.filter((row) => row[3] === 'SENT');
        assertEqual(sent.length, stats.sent, 'SENT rows');
        const message = header.indexOf('message');
        assert(
          sent.every((row) => row[message].includes('20% off in')),
          'the rendered message is in each SENT row',
        );

        await page.getByRole('combobox', { name: 'Status' }).selectOption('SENT');
        const onlySent = await exportCsv(page);
        assertEqual(onlySent.name, `campaign-${id}-log-sent.csv`, 'the filtered file name');
        assertEqual(onlySent.records.length - 1, stats.sent, 'the SENT export has the SENT rows');
        assert(
          onlySent.records.slice(1).every((row) => row[3] === 'SENT'),
          'only SENT rows',
        );
      },
    ],
    ...draftFlows(ctx, state),
    [
      'Settings → Brand: a bad sender id is refused at its field and nothing is saved; the brand name is saved and the message preview says it',
      async ({ page }) => {
        await page.goto(`${base}/settings?tab=brand`);
        await heading(page, 'Settings');
        const field = (label) => page.getByLabel(label, { exact: true });
        const save = page.getByRole('button', { name: 'Save brand settings' });
        await waitFor('the profile in the form', async () => (await field('Display name').inputValue()) !== '');
        assertEqual(await field('Display name').inputValue(), state.displayName, 'the display name');
        assertEqual(await field('Brand name').inputValue(), '', 'no brand name yet');
        const before = await apiAsPage(page, 'GET', '/api/v1/workspace');

        // A sender id the server refuses: its message is at the field, and nothing of the form is saved.
        await field('Brand name').fill(BRAND.name);
        await field('Sender ID').fill('NOT-VALID!');
        await save.click();
        await page.getByText('Not saved: see the marked fields.').waitFor();
        const senderError = await fieldError(page, 'Sender ID');
        assert(/3 to 11 letters or digits/.test(senderError), `the sender id's message: ${senderError}`);
        assertEqual(await field('Brand name').getAttribute('aria-invalid'), null, 'the brand name is fine');
        await checkPage(page, 'settings-brand-errors', screenshots);
        const unchanged = await apiAsPage(page, 'GET', '/api/v1/workspace');
        assertEqual(unchanged.json, before.json, 'the profile after the refused save');
        await page.reload();
        await heading(page, 'Settings');
        await waitFor('the profile in the form', async () => (await field('Display name').inputValue()) !== '');
        assertEqual(
          [await field('Brand name').inputValue(), await field('Sender ID').inputValue()],
          ['', ''],
          'the form after a reload: the old values',
        );

        // Everything at once; only what changed is sent.
        await field('Brand name').fill(BRAND.name);
        await field('Postal address').fill(BRAND.address);
        await page.getByRole('combobox', { name: 'Default country' }).selectOption('IN');
        await field('Logo URL').fill(`${base}/favicon.svg`);
        await field('From name').fill(BRAND.name);
        await field('From address').fill('hello@tanvi.example');
        await field('Reply-to address').fill('care@tanvi.example');
        await field('Sender ID').fill('TANVIS');
        await field('DLT entity ID (India only)').fill('1201159100000000001');
        const patched = page.waitForRequest(
          (r) => r.method() === 'PATCH' && new URL(r.url()).pathname === '/api/v1/workspace',
        );
        await save.click();
        await page.getByText('Saved.', { exact: true }).waitFor();
        const sent = JSON.parse((await patched).postData());
        assertEqual(
          Object.keys(sent).sort(),
          ['brand_name', 'default_country', 'email_sender', 'logo_url', 'postal_address', 'sms_sender'],
          'the keys the save sent',
        );
        const want = {
          brand_name: BRAND.name,
          postal_address: BRAND.address,
          default_country: 'IN',
          logo_url: `${base}/favicon.svg`,
          email_sender: { from_name: BRAND.name, from_address: 'hello@tanvi.example', reply_to: 'care@tanvi.example' },
          sms_sender: { sender_id: 'TANVIS', dlt_entity_id: '1201159100000000001', dlt_template_id: null },
        };
        const saved = await apiAsPage(page, 'GET', '/api/v1/workspace');
        assertEqual(Object.fromEntries(Object.keys(want).map((k) => [k, saved.json[k]])), want, 'the saved profile');
        assertEqual(
          [saved.json.name, saved.json.timezone],
          [before.json.name, before.json.timezone],
          'the display name and time zone are as they were',
        );
        const logo = page.getByTestId('logo-preview');
        await waitFor('the logo preview', async () =>
          logo.evaluate((img) => img.complete && img.naturalWidth > 0).catch(() => false),
        );

        await page.reload();
        await heading(page, 'Settings');
        await waitFor(
          'the saved brand in the form',
          async () => (await field('Brand name').inputValue()) === BRAND.name,
        );
        assertEqual(
          [
            await field('Postal address').inputValue(),
            await page.getByRole('combobox', { name: 'Default country' }).inputValue(),
            await field('Sender ID').inputValue(),
            await field('Reply-to address').inputValue(),
          ],
          [BRAND.address, 'IN', 'TANVIS', 'care@tanvi.example'],
          'the form after a reload',
        );
        await logo.waitFor();
        await checkPage(page, 'settings-brand', screenshots);

        // The composer's preview (the server's rendering) says the brand name now, and the launch dialog no
        // longer warns.
        await page.goto(`${base}/campaigns/new?segment=${state.segmentId}`);
        await heading(page, 'New campaign');
        await page.getByLabel('Campaign name').fill('Brand check');
        await page.getByTestId('segment-count').waitFor();
        await page.getByLabel('Message', { exact: true }).fill('Hello from {{ brand }}!');
        await waitFor('the preview with the brand name', async () =>
          ((await page.getByTestId('message-preview').textContent()) ?? '').includes(`Hello from ${BRAND.name}!`),
        );
        await page.getByRole('button', { name: 'Review and send' }).click();
        const dialog = page.getByRole('dialog');
        await dialog.getByTestId('campaign-reach').waitFor();
        assertEqual(await dialog.getByTestId('brand-warning').count(), 0, 'no brand warning once it is set');
        await dialog.getByRole('button', { name: 'Back' }).click();
        await dialog.waitFor({ state: 'detached' });
      },
    ],
    [
      'AI help: an audience from words, a suggested message, and a campaign to that inline rule',
      async ({ page }) => {
        await page.goto(`${base}/campaigns/new`);
        await heading(page, 'New campaign');
        await page.getByLabel('Campaign name').fill('Thank you, big spenders');
        const words = 'customers who spent over 5000 and visited fewer than 8 times';
        const asked = await apiAsPage(page, 'POST', '/api/v1/ai/segment-from-text', { text: words });
        assertEqual(asked.status, 200, 'segment-from-text status');
        const want = leafFields(asked.json.rule);
        assertEqual(want, ['total_spend', 'visits'], 'the fields the assistant understood');
        await page.getByLabel('Describe the audience in words').fill(words);
        await page.getByRole('button', { name: 'Build from text' }).click();
        const fields = () =>
          page.locator('.converge-builder select.rule-fields').evaluateAll((els) => els.map((e) => e.value));
        await waitFor(
          'the builder to hold the rule from the words',
          async () => JSON.stringify(await fields()) === JSON.stringify(want),
          { timeoutMs: 10_000 },
        );
        const api = await apiAsPage(page, 'POST', '/api/v1/segments/preview', {
          rule: asked.json.rule,
          sample_size: 0,
        });
        assert(api.json.count > 0, 'the words match someone in the sample data');
        await countSettlesOn(page, api.json.count);

        await page
          .getByLabel('Objective for AI suggestions')
          .fill('thank our best customers with early access to the sale');
        await page.getByRole('button', { name: 'Suggest messages' }).click();
        const first = page.locator('li', { has: page.getByRole('button', { name: 'Use' }) }).first();
        await first.waitFor();
        const suggestion = await first.locator('p').textContent();
        await first.getByRole('button', { name: 'Use' }).click();
        assertEqual(
          await page.getByLabel('Message', { exact: true }).inputValue(),
          suggestion,
          'the message after "Use"',
        );
        await page.getByTestId('message-preview').waitFor();
        await checkPage(page, 'campaign-composer-ai', screenshots);

        await page.getByRole('button', { name: 'Review and send' }).click();
        const dialog = page.getByRole('dialog');
        await dialog.getByText(`goes to ${api.json.count.toLocaleString('en-US')} customers`).waitFor();
        await dialog.getByRole('button', { name: /^Send to/ }).click();
        await page.waitForURL(/\/campaigns\/\d+$/);
        const id = Number(new URL(page.url()).pathname.split('/').pop());
        const final = await waitFor(
          'the inline-rule campaign to finish',
          async () => {
            const r = await apiAsPage(page, 'GET', `/api/v1/campaigns/${id}`);
            return r.json.status === 'completed' ? r.json : null;
          },
          { timeoutMs: 120_000, intervalMs: 500 },
        );
        assertEqual(final.stats.audience, api.json.count, 'the campaign audience equals the count shown');
        assertEqual(final.template, suggestion, 'the campaign sent the suggested message');
        assertEqual(leafFields(final.rule), want, 'the campaign kept the inline rule');
      },
    ],
    [
      'a CSV with bad rows: errors per row, valid rows imported',
      async ({ page }) => {
        await page.getByRole('link', { name: 'Import' }).click();
        await heading(page, 'Import');
        await page
          .getByLabel('CSV file')
          .setInputFiles({ name: 'customers.csv', mimeType: 'text/csv', buffer: Buffer.from(IMPORT_CSV) });
        await page.getByText('customers.csv: 5 rows').waitFor();
        await page.getByRole('button', { name: 'Check the file' }).click();
        await page.getByRole('region', { name: 'Rows with errors' }).waitFor();
        assertEqual(
          [await numberIn(page.getByTestId('import-accepted')), await numberIn(page.getByTestId('import-rejected'))],
          [3, 2],
          'valid and bad rows',
        );
        const lines = await page
          .getByRole('region', { name: 'Rows with errors' })
          .locator('tbody tr td:first-child')
          .allTextContents();
        assertEqual([...new Set(lines)].sort(), ['3', '5'], 'the lines with errors');
        await checkPage(page, 'import', screenshots);
        await page.getByRole('button', { name: 'Import 3 valid rows' }).click();
        await page.getByRole('heading', { name: '4. Imported' }).waitFor();
        await page.getByRole('link', { name: 'See customers' }).click();
        await heading(page, 'Customers');
        await page.getByLabel('Search customers').fill('WEB-IMP');
        await waitFor(
          'the imported customers in the list',
          async () => {
            const rows = await page.getByRole('region', { name: 'Customers' }).locator('tbody tr').count();
            if (rows === 3) return true;
            await page.reload();
            await page.getByLabel('Search customers').fill('WEB-IMP');
            await page.waitForTimeout(600);
            return false;
          },
          { timeoutMs: 30_000, intervalMs: 300 },
        );
        await page.getByRole('link', { name: 'Asha Verma' }).waitFor();
        await checkPage(page, 'customers', screenshots);
        await page.getByRole('link', { name: 'Asha Verma' }).click();
        await heading(page, 'Asha Verma');
        await checkPage(page, 'customer', screenshots);
      },
    ],
    [
      'a CSV with headings of its own: mapped by synonyms, DD/MM/YYYY dates, national numbers, rejected rows downloaded',
      async ({ page }) => {
        // National numbers are read in the workspace's default country (Settings → Brand already chose India;
        // set again here so this step stands on its own).
        const country = await apiAsPage(page, 'PATCH', '/api/v1/workspace', { default_country: 'IN' });
        assertEqual([country.status, country.json.default_country], [200, 'IN'], 'the default country');
        await page.goto(`${base}/import`);
        await heading(page, 'Import');
        await page
          .getByLabel('CSV file')
          .setInputFiles({ name: 'signups.csv', mimeType: 'text/csv', buffer: Buffer.from(SIGNUPS_CSV) });
        await page.getByText('signups.csv: 4 rows').waitFor();
        // Pre-filled from the headings through the fields' synonyms.
        const select = (name) => page.getByRole('combobox', { name, exact: true });
        await waitFor('the mapping to be pre-filled', async () => (await select('Customer ID *').inputValue()) !== '');
        const mapped = {};
        for (const label of ['Customer ID *', 'Name', 'E-mail', 'Phone', 'Customer since', 'City'])
          mapped[label] = await select(label).inputValue();
        assertEqual(
          mapped,
          {
            'Customer ID *': 'Customer Number',
            Name: 'Full Name',
            'E-mail': 'Email Address',
            Phone: 'Mobile',
            'Customer since': 'Signup Date',
            City: '',
          },
          'the mapping pre-filled from the headings',
        );
        assertEqual(
          (await page.getByTestId('phone-country-note').textContent())?.trim(),
          'Numbers without a country code are read as numbers of India (IN).',
          'the note under Phone',
        );
        await select('Dates are written as').selectOption('dd/mm/yyyy');
        const checked = page.waitForRequest(
          (r) => r.method() === 'POST' && new URL(r.url()).pathname === '/api/v1/imports',
        );
        const answered = page.waitForResponse(
          (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/imports',
        );
        await page.getByRole('button', { name: 'Check the file' }).click();
        const sent = JSON.parse((await checked).postData());
        assertEqual([sent.date_format, sent.dry_run], ['dd/mm/yyyy', true], 'what the check sent');
        const report = await (await answered).json();
        const errors = page.getByRole('region', { name: 'Rows with errors' });
        await errors.waitFor();
        assertEqual(
          [await numberIn(page.getByTestId('import-accepted')), await numberIn(page.getByTestId('import-rejected'))],
          [2, 2],
          'valid and bad rows',
        );
        const rows = await errors
          .locator('tbody tr')
          .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim())));
        assertEqual([...new Set(rows.map((r) => r[0]))].sort(), ['3', '4'], 'the lines with errors');
        assert(
          rows.some((r) => r[0] === '3' && r[1].includes('(email)')),
          `the bad e-mail is reported at its column: ${JSON.stringify(rows)}`,
        );
        assert(
          rows.some((r) => r[0] === '4' && r[1].includes('(external_id)')),
          `the repeated id is reported on its later row: ${JSON.stringify(rows)}`,
        );
        assert(
          !rows.some((r) => r[1].includes('(phone)')),
          `no valid national number is reported: ${JSON.stringify(rows)}`,
        );

        const file = await download(page, page.getByRole('button', { name: 'Download rejected rows (CSV)' }));
        assertEqual(file.name, 'signups-rejected.csv', 'the rejected file name');
        assertEqual(file.text, report.rejected_csv, 'the file is the report’s rejected_csv');
        const [header, ...rejected] = parseCsv(
          file.text.replace(/\r\n/g, '\n').replace(/\n$/, '').replace(/\n/g, '\r\n'),
        );
        assertEqual(
          header,
          ['Customer Number', 'Full Name', 'Email Address', 'Mobile', 'Signup Date', 'error'],
          'the rejected file’s header',
        );
        assertEqual(
          rejected.map((r) => r.slice(0, 2)),
          [
            ['WEB-SYN-2', 'Arjun Das'],
            ['WEB-SYN-1', 'Nisha Again'],
          ],
          'the rejected rows, in file order',
        );
        assert(
          rejected.every((r) => r.length === header.length && r.at(-1) !== ''),
          'every rejected row says what is wrong',
        );
        await checkPage(page, 'import-synonyms', screenshots);

        await page.getByRole('button', { name: 'Import 2 valid rows' }).click();
        await page.getByRole('heading', { name: '4. Imported' }).waitFor();
        await page.getByRole('button', { name: 'Download rejected rows (CSV)' }).waitFor();
        const nisha = await waitFor(
          'the imported customer',
          async () => {
            const r = await apiAsPage(page, 'GET', '/api/v1/customers/WEB-SYN-1');
            return r.status === 200 ? r.json : null;
          },
          { timeoutMs: 30_000, intervalMs: 300 },
        );
        assertEqual([nisha.name, nisha.phone], ['Nisha Rao', '+919812345602'], 'the first row’s customer, in E.164');
        assert(String(nisha.created_at).startsWith('2025-01-12'), `12/01/2025 read as 12 January: ${nisha.created_at}`);
        const farah = await waitFor('the second customer', async () => {
          const r = await apiAsPage(page, 'GET', '/api/v1/customers/WEB-SYN-3');
          return r.status === 200 ? r.json : null;
        });
        assertEqual(farah.phone, '+919812345605', 'a number with + and spaces');
        assertEqual((await apiAsPage(page, 'GET', '/api/v1/customers/WEB-SYN-2')).status, 404, 'the bad row');
      },
    ],
    [
      'a test send from a campaign: two numbers are sent, an e-mail address on an SMS campaign is refused at its line',
      async ({ page }) => {
        const id = state.campaignId;
        const before = await apiAsPage(page, 'GET', `/api/v1/campaigns/${id}`);
        assertEqual(before.json.channel, 'sms', 'the campaign’s channel');
        await page.goto(`${base}/campaigns/${id}`);
        await heading(page, 'Come back soon');
        await page.getByRole('button', { name: 'Send a test' }).click();
        const dialog = page.getByRole('dialog', { name: 'Send a test' });
        await dialog.getByText('A test is not part of the campaign: it is not counted and not logged.').waitFor();
        const to = dialog.getByLabel('Send to', { exact: true });
        const line = (address) => dialog.locator(`li[data-address="${address}"]`);
        const send = dialog.getByRole('button', { name: 'Send test' });

        // More than ten: refused before asking.
        await to.fill(Array.from({ length: 11 }, (_, i) => `+9198123456${String(20 + i)}`).join(', '));
        await dialog.getByText('At most 10 addresses per test: remove 1.').waitFor();
        assert(await send.isDisabled(), 'no sending more than ten');

        await to.fill('+919812345611\n+919812345612');
        await dialog.getByLabel('Render for customer (optional)').fill('WEB-IMP-3');
        const asked = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith(`/campaigns/${id}/test`));
        await send.click();
        assertEqual(
          JSON.parse((await asked).postData()),
          { to: ['+919812345611', '+919812345612'], customer_external_id: 'WEB-IMP-3' },
          'what the test sent',
        );
        for (const address of ['+919812345611', '+919812345612']) {
          await waitFor(
            `“sent” at ${address}`,
            async () => (await line(address).getAttribute('data-state')) === 'sent',
          );
          await line(address).getByText('Sent', { exact: true }).waitFor();
        }
        await dialog.getByText('All 2 tests were sent.').waitFor();
        await checkPage(page, 'campaign-test-send', screenshots);

        // An e-mail address on an SMS campaign: the server's message at that address, nothing sent.
        await to.fill('+919812345611\nnisha@signups.example');
        await send.click();
        const refused = line('nisha@signups.example');
        await waitFor(
          'the refusal at the address',
          async () => (await refused.getAttribute('data-state')) === 'invalid',
        );
        const message = await refused.getByTestId('address-error').textContent();
        assert(/phone number/.test(message), `the message at the e-mail address: ${message}`);
        assertEqual(await line('+919812345611').getAttribute('data-state'), 'ready', 'the number has no error');
        assertEqual(await to.getAttribute('aria-invalid'), 'true', 'the address box is marked');
        await checkPage(page, 'campaign-test-send-errors', screenshots);
        await dialog.getByRole('button', { name: 'Close' }).click();
        await dialog.waitFor({ state: 'detached' });

        // Not counted: the campaign's numbers are as they were.
        const after = await apiAsPage(page, 'GET', `/api/v1/campaigns/${id}`);
        assertEqual(after.json.stats, before.json.stats, 'the campaign’s numbers after the tests');
      },
    ],
    [
      'an API key is shown once, works, and stops working when revoked',
      async ({ page }) => {
        await page.getByRole('link', { name: 'Settings' }).click();
        await heading(page, 'Settings');
        await checkPage(page, 'settings', screenshots);
        await page.getByRole('tab', { name: 'API keys' }).click();
        await page.getByRole('button', { name: 'Create key' }).click();
        const dialog = page.getByRole('dialog');
        await dialog.getByLabel('Label').fill('E2E key');
        await dialog.getByLabel(/^Read/).check();
        await dialog.getByRole('button', { name: 'Create key' }).click();
        const key = await page.getByTestId('new-api-key').inputValue();
        assert(/^cvg_[A-Za-z0-9]{40}$/.test(key), `a key was shown: ${key.slice(0, 8)}…`);
        await checkPage(page, 'api-key-created', screenshots);
        await page.getByRole('button', { name: 'Done' }).click();
        const use = () => fetch(`${base}/api/v1/customers?limit=1`, { headers: { Authorization: `Bearer ${key}` } });
        assertEqual((await use()).status, 200, 'the new key reads customers');
        await page.getByRole('button', { name: 'Revoke E2E key' }).click();
        await page.getByRole('dialog').getByRole('button', { name: 'Revoke key' }).click();
        await page.getByText('Revoked').waitFor();
        assertEqual((await use()).status, 401, 'the revoked key');
        await checkPage(page, 'settings-api-keys', screenshots);
      },
    ],
    [
      'compliance settings: a bad value is shown at its field; saved settings are kept after a reload',
      async ({ page }) => {
        await page.getByRole('link', { name: 'Compliance', exact: true }).click();
        await heading(page, 'Compliance');
        await page.getByLabel('Time zone', { exact: true }).fill('Mars/Olympus_Mons');
        await page.getByLabel('Limit marketing messages per customer').check();
        await page.getByLabel('At most (messages)', { exact: true }).fill('0');
        await page.getByRole('button', { name: 'Save compliance settings' }).click();
        await page.getByText('Not saved: see the marked settings.').waitFor();
        const zoneError = await fieldError(page, 'Time zone');
        assert(/IANA time zone/.test(zoneError), `the time zone's message: ${zoneError}`);
        const capError = await fieldError(page, 'At most (messages)');
        assert(/between 1 and 1000/.test(capError), `the cap's message: ${capError}`);
        await checkPage(page, 'compliance-errors', screenshots);

        // Quiet hours around now (UTC), so the e-mail campaign below is held: "waiting for quiet hours".
        const quiet = { start: utcTime(-1), end: utcTime(2) };
        await page.getByLabel('Time zone', { exact: true }).fill('UTC');
        await page.getByLabel('At most (messages)', { exact: true }).fill('5');
        await page.getByLabel('In any (days)', { exact: true }).fill('7');
        await page.getByLabel('Quiet hours').check();
        await page.getByLabel('From', { exact: true }).fill(quiet.start);
        await page.getByLabel('Until', { exact: true }).fill(quiet.end);
        await page.getByLabel('E-mail policy', { exact: true }).selectOption('opt_in');
        await page.getByLabel('E-mail: confirm new subscriptions', { exact: true }).check();
        await page.getByLabel('Opt-out line', { exact: true }).fill('Reply STOP to opt out of offers');
        await page.getByLabel('New topic', { exact: true }).fill('offers');
        await page.getByLabel('New topic', { exact: true }).press('Enter');
        await page.getByLabel('New topic', { exact: true }).fill('newsletter');
        await page.getByRole('button', { name: 'Add topic' }).click();
        await page.getByRole('button', { name: 'Save compliance settings' }).click();
        await page.getByText('Saved.', { exact: true }).waitFor();
        const want = {
          timezone: 'UTC',
          quiet_hours: quiet,
          frequency_cap: { messages: 5, days: 7 },
          policy: { email: 'opt_in', sms: 'allowed', whatsapp: 'allowed' }, // in key order
          sms_opt_out_line: 'Reply STOP to opt out of offers',
          topics: ['offers', 'newsletter'],
          double_opt_in: { email: true, sms: false, whatsapp: false }, // in key order
        };
        const saved = await apiAsPage(page, 'GET', '/api/v1/settings/compliance');
        const byKey = (object) => Object.fromEntries(Object.entries(object).sort());
        assertEqual(
          {
            ...saved.json,
            policy: byKey(saved.json.policy),
            double_opt_in: byKey(saved.json.double_opt_in ?? {}),
          },
          want,
          'the saved settings',
        );

        await page.reload();
        await heading(page, 'Compliance');
        const value = (label) => page.getByLabel(label, { exact: true }).inputValue();
        await waitFor('the saved settings in the form', async () => (await value('Time zone')) === 'UTC');
        assertEqual(
          [
            await value('From'),
            await value('Until'),
            await value('At most (messages)'),
            await value('In any (days)'),
            await value('E-mail policy'),
            await value('SMS policy'),
            await value('Opt-out line'),
          ],
          [quiet.start, quiet.end, '5', '7', 'opt_in', 'allowed', 'Reply STOP to opt out of offers'],
          'the form after a reload',
        );
        assert(await page.getByLabel('Quiet hours').isChecked(), 'quiet hours stay on');
        const confirms = (label) => page.getByLabel(`${label}: confirm new subscriptions`, { exact: true }).isChecked();
        assertEqual(
          [await confirms('E-mail'), await confirms('SMS'), await confirms('WhatsApp')],
          [true, false, false],
          'double opt-in after a reload',
        );
        const topics = await page.getByRole('list', { name: 'Topics' }).locator('li .font-mono').allTextContents();
        assertEqual(topics, ['offers', 'newsletter'], 'the topics after a reload');
        await checkPage(page, 'compliance', screenshots);
      },
    ],
    [
      "a customer's consent: a member changes a channel and a topic, the history shows it, the data exports",
      async ({ page }) => {
        await page.goto(`${base}/customers/WEB-IMP-1`);
        await heading(page, 'Asha Verma');
        const email = page.getByTestId('consent-email');
        await email.locator('[data-consent-status="none"]', { hasText: 'None recorded' }).waitFor();
        await email.getByText('the channel is opt-in').waitFor();
        await page.getByText('No consent recorded yet.').waitFor();
        await page.getByRole('combobox', { name: 'Change E-mail consent' }).selectOption('subscribed');
        await page.getByText('E-mail set to subscribed.').waitFor();
        await page.getByRole('combobox', { name: 'Change E-mail consent' }).selectOption('unsubscribed');
        await page.getByText('E-mail set to unsubscribed.').waitFor();
        await email.locator('[data-consent-status="unsubscribed"]', { hasText: 'Unsubscribed' }).waitFor();
        await email.getByText(/^Changed in Converge · /).waitFor();
        await page.getByRole('combobox', { name: 'Change consent to topic offers' }).selectOption('unsubscribed');
        await page.getByText('Topic “offers” set to unsubscribed.').waitFor();
        await page
          .getByTestId('consent-topic-offers')
          .locator('[data-consent-status="unsubscribed"]', { hasText: 'Unsubscribed' })
          .waitFor();
        const history = page.getByTestId('consent-history').locator('li');
        await waitFor('three changes in the history', async () => (await history.count()) === 3);
        const lines = (await history.allTextContents()).map((t) => t.replace(/Changed in Converge.*/, ''));
        assertEqual(
          lines,
          ['Topic “offers”: Unsubscribed', 'E-mail: Unsubscribed', 'E-mail: Subscribed'],
          'the history, newest first',
        );
        const api = await apiAsPage(page, 'GET', '/api/v1/customers/WEB-IMP-1/subscriptions');
        assertEqual(
          [api.json.email.status, api.json.email.source, api.json.topics.offers.status, api.json.history.length],
          ['unsubscribed', 'admin', 'unsubscribed', 3],
          'the subscriptions the API holds',
        );
        await checkPage(page, 'customer-consent', screenshots);

        const file = await download(page, page.getByRole('button', { name: 'Export data' }));
        assertEqual(file.name, 'customer-WEB-IMP-1.json', 'the export file name');
        const exported = JSON.parse(file.text);
        assertEqual(
          [exported.customer.external_id, exported.customer.email, exported.subscriptions.history.length],
          ['WEB-IMP-1', 'asha@example.in', 3],
          'the exported data',
        );
      },
    ],
    [
      'the suppression list: an address is added, shown only masked, pages, and is removed',
      async ({ page }) => {
        await page.getByRole('link', { name: 'Suppression list', exact: true }).click();
        await heading(page, 'Suppression list');
        const address = page.getByLabel('Address', { exact: true });
        await address.fill('+919812345678');
        await page.getByLabel('Reason (optional)', { exact: true }).fill('asked by phone');
        await page.getByRole('button', { name: 'Suppress address' }).click();
        await page.getByText('+91******5678 is now suppressed.').waitFor();
        const table = page.getByRole('region', { name: 'Suppressed addresses' });
        const row = table.locator('tr', { hasText: '+91******5678' });
        await row.getByText('asked by phone').waitFor();
        await row.getByText('Changed in Converge').waitFor();
        assert(!(await page.content()).includes('9812345678'), 'the number is not on the page in clear');
        await address.fill('+91 98123 45678');
        await page.getByRole('button', { name: 'Suppress address' }).click();
        await page.getByText('+91******5678 was already on the list.').waitFor();
        await address.fill('not an address');
        await page.getByRole('button', { name: 'Suppress address' }).click();
        const error = await fieldError(page, 'Address');
        assert(error.length > 0, 'the address has a message');
        // Kept for the e-mail campaign below: Kabir's messages are skipped as suppressed.
        await address.fill('kabir@example.in');
        await page.getByRole('button', { name: 'Suppress address' }).click();
        await page.getByText('k****@example.in is now suppressed.').waitFor();
        await table.getByRole('button', { name: 'Remove k****@example.in' }).waitFor();
        await checkPage(page, 'suppressions', screenshots);

        await page.getByRole('button', { name: 'Remove +91******5678' }).click();
        await page.getByRole('dialog').getByRole('button', { name: 'Remove address' }).click();
        await row.waitFor({ state: 'detached' });
        const listed = await apiAsPage(page, 'GET', '/api/v1/suppressions?limit=200');
        assert(!listed.json.items.some((s) => s.masked === '+91******5678'), 'the entry is gone from the API');

        // More than a page: the rest come with "Load more".
        for (let i = 0; i < 50; i++) {
          const r = await apiAsPage(page, 'POST', '/api/v1/suppressions', {
            address: `+9198000000${String(i).padStart(2, '0')}`,
          });
          assertEqual(r.status, 201, 'adding a number');
        }
        const all = await apiAsPage(page, 'GET', '/api/v1/suppressions?limit=200');
        await page.reload();
        await heading(page, 'Suppression list');
        const rows = table.locator('tbody tr');
        await waitFor('the first page', async () => (await rows.count()) === 50);
        const more = page.getByRole('button', { name: 'Load more' });
        await more.waitFor();
        await waitFor('every entry, a page at a time', async () => {
          if ((await more.isVisible()) && (await more.isEnabled())) await more.click();
          return (await rows.count()) === all.json.items.length;
        });
      },
    ],
    [
      'an e-mail campaign names a topic and carries the unsubscribe link; its log says why messages were held',
      async ({ page }) => {
        const rule = {
          combinator: 'and',
          not: false,
          rules: [
            { field: 'email', operator: 'in', value: ['asha@example.in', 'meera@example.in', 'kabir@example.in'] },
          ],
        };
        const segment = await apiAsPage(page, 'POST', '/api/v1/segments', { name: 'Imported by e-mail', rule });
        assertEqual(segment.status, 201, 'the segment of the three imported customers');
        state.importedSegmentId = segment.json.id;
        const meera = await apiAsPage(page, 'PUT', '/api/v1/customers/WEB-IMP-3/subscriptions', {
          channels: { email: 'subscribed' },
        });
        assertEqual(meera.status, 200, 'Meera subscribes to e-mail');

        await page.goto(`${base}/campaigns/new?segment=${segment.json.id}`);
        await heading(page, 'New campaign');
        await page.getByLabel('Campaign name').fill('Early access');
        await page.getByTestId('segment-count').waitFor();
        assertEqual(await numberIn(page.getByTestId('segment-count')), 3, 'the audience');
        await page.getByRole('combobox', { name: 'Channel', exact: true }).selectOption('email');
        // A new e-mail opens as blocks; this one is written as text, in the source view.
        await page.getByRole('group', { name: 'Edit the e-mail as' }).getByRole('button', { name: 'Source' }).click();
        const message = page.getByLabel('Message', { exact: true });
        await message.fill('Hi {{ first_name | default("there") }}, the sale opens early for you.');
        const help = page.getByTestId('unsubscribe-help');
        await help.getByText('must contain').waitFor();
        // The server's preview says the same, at the message.
        await page.getByText('e-mail templates must contain {{ unsubscribe_url }}').first().waitFor();
        await help.getByRole('button', { name: 'Insert unsubscribe link' }).click();
        assert(
          (await message.inputValue()).endsWith('\n\nUnsubscribe: {{ unsubscribe_url }}'),
          'the link is added at the end',
        );
        await help.getByText('contains the unsubscribe link').waitFor();
        await waitFor('the preview with a link', async () => /\/u\//.test(await emailPreviewText(page)));
        await page.getByLabel('Topic (optional)').selectOption('offers');
        await checkPage(page, 'campaign-composer-email', screenshots);
        await page.getByRole('button', { name: 'Review and send' }).click();
        const dialog = page.getByRole('dialog');
        await dialog.getByText('by E-mail (topic “offers”)').waitFor();
        // The dialog says who will get it and why the rest are skipped: the numbers the server answers for
        // the same audience, channel and topic, in the log's words.
        const reach = await apiAsPage(page, 'POST', '/api/v1/campaigns/reach', {
          segment_id: segment.json.id,
          channel: 'email',
          topic: 'offers',
        });
        assertEqual(reach.status, 200, 'the reach answer');
        assertEqual(
          JSON.stringify(reach.json),
          JSON.stringify({
            matched: 3,
            reachable: 1,
            no_address: 0,
            channels: [{ channel: 'email', reachable: 1, skipped: { suppressed: 1, unsubscribed: 1 } }],
          }),
          'the reach: Meera gets it (quiet hours only delay her), Asha left, Kabir is suppressed',
        );
        const shown = dialog.getByTestId('campaign-reach');
        const line = shown.locator('[data-reach-channel="email"]');
        await line.waitFor();
        assertEqual(
          (await line.textContent())?.trim(),
          'E-mail: 1 will get it · Unsubscribed: 1 · On the suppression list: 1',
          'the reach line',
        );
        const numbers = async (locator) =>
          Object.fromEntries(
            await locator.evaluateAll((els) => els.map((el) => [el.dataset.reach, Number(el.dataset.count)])),
          );
        const { reachable, ...skipped } = await numbers(line.locator('[data-reach]'));
        assertEqual(reachable, reach.json.channels[0].reachable, 'reachable as the server counts it');
        const sorted = (o) => JSON.stringify(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
        assertEqual(sorted(skipped), sorted(reach.json.channels[0].skipped), 'skipped, by reason');
        assertEqual(
          await shown.locator('[data-reach-channel]').count(),
          reach.json.channels.length,
          'one line a channel',
        );
        assertEqual(await shown.locator('[data-reach="no_address"]').count(), 0, 'no "no address" line for zero');
        await dialog.getByRole('button', { name: /^Send to/ }).click();
        await page.waitForURL(/\/campaigns\/\d+$/);
        const id = Number(new URL(page.url()).pathname.split('/').pop());
        const campaign = await apiAsPage(page, 'GET', `/api/v1/campaigns/${id}`);
        assertEqual(campaign.json.topic, 'offers', 'the campaign topic');
        await page.getByText('topic “offers” ·').waitFor();
        const want = {
          'WEB-IMP-1': ['SKIPPED', 'unsubscribed'],
          'WEB-IMP-3': ['PENDING', 'quiet_hours'],
          'WEB-IMP-5': ['SKIPPED', 'suppressed'],
        };
        await waitFor(
          'each message decided by consent',
          async () => {
            const log = await apiAsPage(page, 'GET', `/api/v1/campaigns/${id}/log`);
            const got = Object.fromEntries(log.json.items.map((m) => [m.customer_external_id, [m.status, m.error]]));
            return JSON.stringify(got) === JSON.stringify(want);
          },
          { timeoutMs: 60_000, intervalMs: 500 },
        );
        const log = page.getByRole('region', { name: 'Messages of this campaign' });
        await log.locator('[data-reason="unsubscribed"]', { hasText: 'Unsubscribed' }).waitFor();
        await log.locator('[data-reason="suppressed"]', { hasText: 'On the suppression list' }).waitFor();
        await log.locator('[data-reason="quiet_hours"]', { hasText: 'Waiting for quiet hours to end' }).waitFor();
        await checkPage(page, 'campaign-consent-log', screenshots);
      },
    ],
    [
      "the audience builder's reach: per channel, who a campaign could reach and why the rest would be skipped",
      async ({ page }) => {
        const id = state.importedSegmentId;
        const saved = await apiAsPage(page, 'GET', `/api/v1/segments/${id}`);
        const isReach = (channel) => (r) =>
          r.method() === 'POST' &&
          new URL(r.url()).pathname === '/api/v1/campaigns/reach' &&
          JSON.parse(r.postData() ?? '{}').channel === channel;
        const section = page.getByTestId('audience-reach');
        const settled = () =>
          waitFor('the reach to be shown', async () => (await section.getAttribute('data-state')) === 'ready', {
            timeoutMs: 15_000,
          });
        // What the page shows, per channel line: every number by its key (`reachable`, skip reasons).
        const shownLines = () =>
          section.locator('[data-reach-channel]').evaluateAll((els) =>
            els.map((li) => ({
              channel: li.dataset.reachChannel,
              counts: Object.fromEntries(
                [...li.querySelectorAll('[data-reach]')]
                  .map((el) => [el.dataset.reach, Number(el.dataset.count)])
                  .sort(([a], [b]) => (a < b ? -1 : 1)),
              ),
            })),
          );
        // The same from the API's answer: zero counts and empty channels are not shown.
        const apiLines = (reach) =>
          reach.channels
            .map((c) => ({
              channel: c.channel,
              counts: Object.fromEntries(
                [['reachable', c.reachable], ...Object.entries(c.skipped).filter(([, n]) => n > 0)].sort(([a], [b]) =>
                  a < b ? -1 : 1,
                ),
              ),
            }))
            .filter((l) => Object.keys(l.counts).length > 1 || l.counts.reachable > 0);
        const compare = async (body, what) => {
          assertEqual(body.rule, saved.json.rule, `${what}: the page asks for the rule being built`);
          const api = await apiAsPage(page, 'POST', '/api/v1/campaigns/reach', body);
          assertEqual(api.status, 200, `${what}: the reach answer`);
          assertEqual(await shownLines(), apiLines(api.json), `${what}: the lines shown`);
          const noAddress = section.locator('[data-reach="no_address"]');
          assertEqual(
            (await noAddress.count()) ? Number(await noAddress.getAttribute('data-count')) : 0,
            api.json.no_address,
            `${what}: no address`,
          );
          return api.json;
        };

        // The reach is asked on its own, a moment after the count has arrived, for each customer's preferred
        // channel first.
        const preferredAsked = page.waitForRequest(isReach('preferred'), { timeout: 20_000 });
        await page.goto(`${base}/audiences/${id}`);
        await heading(page, 'Imported by e-mail');
        await countSettlesOn(page, 3);
        const preferred = JSON.parse((await preferredAsked).postData());
        assertEqual(preferred.channel, 'preferred', 'the channel asked first');
        await settled();
        await compare(preferred, 'preferred channel');

        const emailAsked = page.waitForRequest(isReach('email'), { timeout: 20_000 });
        await section.getByRole('combobox', { name: 'Reach Channel' }).selectOption('email');
        const email = JSON.parse((await emailAsked).postData());
        await settled();
        const reach = await compare(email, 'e-mail');
        // Asha left e-mail and Kabir's address is suppressed (the steps above).
        assert(
          reach.channels[0].skipped.unsubscribed >= 1 && reach.channels[0].skipped.suppressed >= 1,
          `the API skips the unsubscribed and the suppressed: ${JSON.stringify(reach)}`,
        );
        const line = section.locator('[data-reach-channel="email"]');
        const text = (await line.textContent())?.trim();
        assertEqual(
          text,
          `E-mail: ${reach.channels[0].reachable} reachable · Unsubscribed: ${reach.channels[0].skipped.unsubscribed} · On the suppression list: ${reach.channels[0].skipped.suppressed}`,
          "the e-mail line, in the log's words",
        );
        assertEqual(
          await page.getByTestId('audience-reach-result').getAttribute('aria-live'),
          'polite',
          'the result is announced politely',
        );
        await checkPage(page, 'audience-reach', screenshots);

        // An unfinished condition: the count asks for it, and the reach shows nothing.
        await page.getByRole('button', { name: '+ Condition' }).first().click();
        await waitFor('the reach to step aside', async () => (await section.getAttribute('data-state')) === 'off');
        assertEqual(await section.locator('[data-reach]').count(), 0, 'no numbers for an unfinished rule');
      },
    ],
    [
      'a customer is erased after a confirmation; their unsubscribed address stays suppressed, masked',
      async ({ page }) => {
        await page.goto(`${base}/customers/WEB-IMP-1`);
        await heading(page, 'Asha Verma');
        await page
          .getByRole('region', { name: 'Messages sent to this customer' })
          .locator('[data-reason="unsubscribed"]', { hasText: 'Unsubscribed' })
          .waitFor();
        await page.getByRole('button', { name: 'Erase customer' }).click();
        const dialog = page.getByRole('dialog');
        await dialog.getByText('This cannot be undone.').waitFor();
        await dialog.getByRole('button', { name: 'Erase customer' }).click();
        await page.getByTestId('customer-erased').waitFor();
        await heading(page, 'WEB-IMP-1');
        await checkPage(page, 'customer-erased', screenshots);
        const after = await apiAsPage(page, 'GET', '/api/v1/customers/WEB-IMP-1');
        assertEqual([after.json.name ?? null, after.json.email ?? null], [null, null], 'what the API still holds');
        await page.getByRole('link', { name: 'Suppression list', exact: true }).click();
        await heading(page, 'Suppression list');
        const entry = page
          .getByRole('region', { name: 'Suppressed addresses' })
          .locator('tr', { hasText: 'a***@example.in' });
        await entry.getByText('opted out, then erased').waitFor();
      },
    ],
    [
      'templates: the starters by channel; an e-mail template is refused at its name and body, then saved and edited',
      async ({ page }) => {
        await page.getByRole('link', { name: 'Templates', exact: true }).click();
        await heading(page, 'Templates');
        // The first listing gives the workspace its starters: three per channel, shown by channel.
        const listed = await apiAsPage(page, 'GET', '/api/v1/templates');
        assertEqual(listed.status, 200, 'the templates answer');
        assertEqual(listed.json.items.length, 9, 'starters');
        assert(
          listed.json.items.every((t) => t.starter),
          'every template of a fresh workspace is a starter',
        );
        const group = (label) => page.getByRole('region', { name: label, exact: true });
        for (const [label, channel] of [
          ['SMS', 'sms'],
          ['WhatsApp', 'whatsapp'],
          ['E-mail', 'email'],
        ]) {
          const items = group(label).locator('li[data-template]');
          await waitFor(`the ${label} starters`, async () => (await items.count()) === 3);
          assertEqual(
            (await items.evaluateAll((els) => els.map((el) => el.dataset.template))).sort(),
            listed.json.items
              .filter((t) => t.channel === channel)
              .map((t) => t.name)
              .sort(),
            `the ${label} templates shown`,
          );
          assertEqual(await items.getByText('Starter', { exact: true }).count(), 3, `${label} starter badges`);
        }
        const excerpt = await group('E-mail').getByTestId('template-excerpt').first().textContent();
        assert(!excerpt.includes('<'), `an e-mail excerpt is text, not HTML: ${excerpt}`);
        await checkPage(page, 'templates', screenshots);

        await page.getByRole('link', { name: 'New template', exact: true }).click();
        await heading(page, 'New template');
        const field = (label) => page.getByLabel(label, { exact: true });
        assertEqual(await field('Subject').count(), 0, 'no subject for SMS');
        await page.getByRole('combobox', { name: 'Channel', exact: true }).selectOption('email');
        await page.getByRole('group', { name: 'Edit the e-mail as' }).getByRole('button', { name: 'Source' }).click();
        await field('Subject').fill('Spring at {{ brand }}, {{ first_name | default("friend") }}');
        await field('Preheader').fill('Ends Sunday.');
        const body = (name) =>
          `<h1>Spring is here, {{ ${name} }}</h1>\n<p>The spring sale starts today.</p>\n` +
          '<p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>';
        // A name the workspace has: refused at the name.
        await field('Name').fill('Welcome (e-mail)');
        await field('Body').fill(body('first_name'));
        await page.getByRole('button', { name: 'Save template' }).click();
        const taken = await fieldError(page, 'Name');
        assert(/template with this name exists/.test(taken), `the name's message: ${taken}`);
        // A misspelt variable: the server's message, with its line and column, at the body.
        await field('Name').fill('Spring sale');
        await field('Body').fill(body('frist_name'));
        await page.getByRole('button', { name: 'Save template' }).click();
        const bodyError = await fieldError(page, 'Body');
        assert(/line 1, column \d+: unknown variable `frist_name`/.test(bodyError), `the body's message: ${bodyError}`);
        assertEqual(await field('Name').getAttribute('aria-invalid'), null, 'the name is fine now');
        await checkPage(page, 'template-editor-errors', screenshots);

        await field('Body').fill(body('first_name | default("friend")'));
        // Changed since the refusal: the old message goes, and the live preview finds nothing wrong.
        await waitFor(
          'the body to be accepted',
          async () => (await field('Body').getAttribute('aria-invalid')) === null,
        );
        await page.getByTestId('message-preview').waitFor();
        await page.getByRole('button', { name: 'Save template' }).click();
        await page.waitForURL(/\/templates\/\d+$/);
        state.templateId = Number(new URL(page.url()).pathname.split('/').pop());
        await heading(page, 'Spring sale');
        await page.getByText('Saved “Spring sale”.').waitFor();
        const saved = await apiAsPage(page, 'GET', `/api/v1/templates/${state.templateId}`);
        assertEqual(
          [saved.json.channel, saved.json.subject, saved.json.preheader, saved.json.body, saved.json.starter],
          [
            'email',
            'Spring at {{ brand }}, {{ first_name | default("friend") }}',
            'Ends Sunday.',
            body('first_name | default("friend")'),
            false,
          ],
          'the saved template',
        );

        // Edited: every field is sent again, and kept.
        await field('Preheader').fill('Ends Monday.');
        state.templateBody = `${body('first_name | default("friend")')}\n<p>See you soon.</p>`;
        await field('Body').fill(state.templateBody);
        const put = page.waitForRequest((r) => r.method() === 'PUT' && /\/api\/v1\/templates\/\d+$/.test(r.url()));
        await page.getByRole('button', { name: 'Save changes' }).click();
        assertEqual(
          Object.keys(JSON.parse((await put).postData())).sort(),
          ['body', 'channel', 'name', 'preheader', 'subject'],
          'the keys the edit sent',
        );
        await page.getByText('Saved “Spring sale”.').waitFor();
        const edited = await apiAsPage(page, 'GET', `/api/v1/templates/${state.templateId}`);
        assertEqual([edited.json.preheader, edited.json.body], ['Ends Monday.', state.templateBody], 'the edit');
        await page.getByTestId('message-preview').waitFor();
        await checkPage(page, 'template-editor', screenshots);

        await page.getByRole('link', { name: '← Templates' }).click();
        await heading(page, 'Templates');
        const mine = group('E-mail').locator('li[data-template="Spring sale"]');
        await mine.waitFor();
        assertEqual(await mine.getByText('Starter', { exact: true }).count(), 0, 'no starter badge on her own');
        assertEqual(await group('E-mail').locator('li[data-template]').count(), 4, 'e-mail templates');
      },
    ],
    [
      'a campaign starts from the saved template, which is then deleted after a confirmation',
      async ({ page }) => {
        await page.goto(`${base}/campaigns/new?segment=${state.importedSegmentId}`);
        await heading(page, 'New campaign');
        const picker = page.getByRole('combobox', { name: 'Start from a template' });
        const offered = () => picker.locator('option:not([value=""])').allTextContents();
        // SMS first: the SMS templates only.
        await waitFor('the SMS templates offered', async () => (await offered()).length === 3);
        assert(
          (await offered()).every((name) => name.endsWith('(SMS)')),
          `SMS templates: ${await offered()}`,
        );
        await page.getByRole('combobox', { name: 'Channel', exact: true }).selectOption('email');
        await waitFor('the e-mail templates offered', async () => (await offered()).includes('Spring sale'));
        assertEqual((await offered()).length, 4, 'e-mail templates offered');
        await page.getByRole('combobox', { name: 'Channel', exact: true }).selectOption('preferred');
        await waitFor('every template offered', async () => (await offered()).length === 10);
        await page.getByRole('combobox', { name: 'Channel', exact: true }).selectOption('email');
        await picker.selectOption({ label: 'Spring sale' });
        const message = page.getByLabel('Message', { exact: true });
        assertEqual(await message.inputValue(), state.templateBody, 'the message after choosing the template');
        await waitFor('the preview of the template', async () => {
          const text = await emailPreviewText(page);
          return (
            text.includes('The spring sale starts today.') && text.includes('See you soon.') && !text.includes('{{')
          );
        });
        await page.getByTestId('unsubscribe-help').getByText('contains the unsubscribe link').waitFor();
        // Still the marketer's to change; another template then asks before replacing the change.
        await message.fill(`${state.templateBody}\n<p>P.S. Bring a friend.</p>`);
        await picker.selectOption({ label: 'Offer (e-mail)' });
        const ask = page.getByRole('dialog', { name: 'Replace the message?' });
        await ask.getByRole('button', { name: 'Keep my message' }).click();
        await ask.waitFor({ state: 'detached' });
        assert((await message.inputValue()).endsWith('Bring a friend.</p>'), 'the edited message is kept');
        await checkPage(page, 'campaign-composer-template', screenshots);

        await page.getByRole('link', { name: 'Templates', exact: true }).click();
        await heading(page, 'Templates');
        await page.getByRole('link', { name: 'Spring sale' }).click();
        await heading(page, 'Spring sale');
        await page.getByRole('button', { name: 'Delete template' }).click();
        const dialog = page.getByRole('dialog', { name: 'Delete this template?' });
        await dialog.getByText('Campaigns made from it keep their copy').waitFor();
        await dialog.getByRole('button', { name: 'Delete template' }).click();
        await heading(page, 'Templates');
        await page.getByText('Deleted “Spring sale”.').waitFor();
        assertEqual(
          await page.getByRole('region', { name: 'E-mail', exact: true }).locator('li[data-template]').count(),
          3,
          'e-mail templates after the delete',
        );
        const gone = await apiAsPage(page, 'GET', `/api/v1/templates/${state.templateId}`);
        assertEqual(gone.status, 404, 'the deleted template');
      },
    ],
    ...invitationFlows({ ...ctx, owner: OWNER }, state),
    ...customerChannelFlows(ctx),
    ...emailBlockFlows(ctx),
  ];
}

// The browser flows of the issue, in order; each step builds on the previous ones.
import { readFile } from 'node:fs/promises';

import { apiAsPage, assert, assertEqual, numberIn } from './lib/app.mjs';
import { checkPage } from './lib/checks.mjs';
import { waitFor } from './lib/processes.mjs';

const OWNER = { name: 'Olivia Owner', email: 'owner@example.com', password: 'correct horse battery staple' };
/** fixtures.json of the OpenID provider: alice's verified address, invited here as an admin (she accepts). */
const ALICE = { account: 'alice', email: 'alice.martin@example.com', name: 'Alice Martin' };

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
        await page.getByRole('textbox', { name: 'E-mail' }).fill(ALICE.email);
        await page.getByRole('combobox', { name: 'Role', exact: true }).selectOption('admin');
        await page.getByRole('button', { name: 'Invite' }).click();
        await page.getByText(`Invitation for ${ALICE.email} created.`).waitFor();
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
        assertEqual(page.url(), `${base}/settings`, 'where the sign-in returns to');
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
          .fill('Hi {{ first_name | default("there") }}, 20% off in {{ city }} this week!');
        await page.getByTestId('message-preview').waitFor();
        await checkPage(page, 'campaign-composer', screenshots);
        await page.getByRole('button', { name: 'Review and send' }).click();
        const dialog = page.getByRole('dialog');
        await dialog.getByText(`goes to ${state.audienceCount.toLocaleString('en-US')} customers`).waitFor();
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
  ];
}

// The customer list and channel settings for people: search by a phone written any way and by city, sort by
// spend with paging, the total, the CSV export against the API; then e-mail switched to SMTP through a
// refusal shown at its fields, SMS and WhatsApp still on the server default after a reload, and test messages.
import { readFile } from 'node:fs/promises';

import { apiAsPage, assert, assertEqual } from './lib/app.mjs';
import { checkPage } from './lib/checks.mjs';
import { waitFor } from './lib/processes.mjs';

async function heading(page, name) {
  await page.getByRole('heading', { level: 1, name }).waitFor();
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
    } else if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
      if (c === '\r') i++;
      record.push(cell);
      records.push(record);
      record = [];
      cell = '';
    } else cell += c;
  }
  if (cell !== '' || record.length) {
    record.push(cell);
    records.push(record);
  }
  return records;
}

/** The external ids of the rows shown, in order (each row's link goes to /customers/<id>). */
async function shownIds(page) {
  return page
    .getByRole('region', { name: 'Customers', exact: true })
    .locator('tbody tr td:first-child a')
    .evaluateAll((links) => links.map((a) => decodeURIComponent(new URL(a.href).pathname.split('/').pop())));
}

/** Every customer the API lists for `search` (newest first), all pages. */
async function everyCustomer(page, search) {
  const ids = [];
  let cursor = null;
  do {
    const query = new URLSearchParams({ limit: '200', search });
    if (cursor) query.set('cursor', cursor);
    const r = await apiAsPage(page, 'GET', `/api/v1/customers?${query}`);
    assertEqual(r.status, 200, 'the customer list');
    ids.push(...r.json.items.map((c) => c.external_id));
    cursor = r.json.next_cursor;
  } while (cursor);
  return ids;
}

/** Waits until the list shows exactly `want` (ids in order). */
async function listShows(page, want, what) {
  let shown;
  await waitFor(
    what,
    async () => {
      shown = await shownIds(page);
      return JSON.stringify(shown) === JSON.stringify(want);
    },
    { timeoutMs: 10_000 },
  ).catch((err) => {
    throw new Error(`${err.message} (shown: ${JSON.stringify(shown)}, want: ${JSON.stringify(want)})`);
  });
}

async function totalShown(page) {
  return (await page.getByTestId('customer-total').textContent())?.trim();
}

/** The server's message shown next to the field labelled `label` inside `scope`. */
async function fieldError(page, scope, label) {
  const input = scope.getByLabel(label, { exact: true });
  await waitFor(`an error at “${label}”`, async () => (await input.getAttribute('aria-invalid')) === 'true', {
    timeoutMs: 10_000,
  });
  const id = (await input.getAttribute('aria-describedby')).split(' ').find((i) => i.endsWith('-error'));
  assert(id, `“${label}” is described by its error`);
  return page.locator(`[id="${id}"]`).textContent();
}

export function customerChannelFlows({ base, screenshots }) {
  return [
    [
      'customers: a phone written with spaces and a city are found, the total is shown, spend sorts and pages, the CSV matches',
      async ({ page }) => {
        await page.goto(`${base}/customers`);
        await heading(page, 'Customers');
        const search = page.getByLabel('Search customers');
        assert(
          /phone/.test(await search.getAttribute('placeholder')) &&
            /city/.test(await search.getAttribute('placeholder')),
          'the search box says it finds phones and cities',
        );
        const all = await apiAsPage(page, 'GET', '/api/v1/customers?limit=1');
        await waitFor(
          'the total',
          async () => (await totalShown(page)) === `${all.json.total.toLocaleString('en-US')} customers`,
        );

        // Nisha's number was imported as 9812345602 (stored +919812345602); typed the way people write it.
        await search.fill('98123 45602');
        await waitFor(
          'the URL to keep the search',
          async () => new URL(page.url()).searchParams.get('q') === '98123 45602',
        );
        await listShows(page, ['WEB-SYN-1'], 'the customer found by phone');
        assertEqual(await totalShown(page), '1 matches “98123 45602”', 'the total of the phone search');

        await search.fill('Pune');
        const pune = await apiAsPage(page, 'GET', '/api/v1/customers?search=Pune&limit=25');
        assert(pune.json.total > 0, 'someone lives in Pune');
        await listShows(
          page,
          pune.json.items.map((c) => c.external_id),
          'the customers of Pune',
        );
        assertEqual(
          await totalShown(page),
          `${pune.json.total.toLocaleString('en-US')} match “Pune”`,
          'the city total',
        );
        const cities = await page
          .getByRole('region', { name: 'Customers', exact: true })
          .locator('tbody tr td:nth-child(2)')
          .allTextContents();
        assert(
          cities.some((c) => c === 'Pune'),
          `the city column shows Pune: ${cities.join(', ')}`,
        );

        // The export is the list as searched: every match, whatever the page shows.
        const [download] = await Promise.all([
          page.waitForEvent('download'),
          page.getByRole('button', { name: 'Export CSV' }).click(),
        ]);
        const file = await download.path();
        assert(file, `the download finished (${await download.failure()})`);
        const records = parseCsv(await readFile(file, 'utf8'));
        assertEqual(records[0].slice(0, 5), ['external_id', 'name', 'email', 'phone', 'city'], 'the CSV header');
        const exported = records.slice(1).map((r) => r[0]);
        assertEqual(exported, await everyCustomer(page, 'Pune'), 'the exported rows, newest first');
        assertEqual(
          records.slice(1).every((r) => r.length === records[0].length),
          true,
          'every row has every column',
        );
        await checkPage(page, 'customers-search', screenshots);

        // Highest spend first, kept in the URL; the next page continues the same order.
        await search.fill('');
        await page.getByRole('combobox', { name: 'Sort by' }).selectOption('spend');
        await waitFor('the URL to keep the sort', async () => new URL(page.url()).searchParams.get('sort') === 'spend');
        const bySpend = await apiAsPage(page, 'GET', '/api/v1/customers?sort=spend&limit=25');
        const top = bySpend.json.items;
        assert(
          top.every((c) => Number(c.total_spend) <= Number(top[0].total_spend)),
          'the API puts the biggest spender first',
        );
        await listShows(
          page,
          top.map((c) => c.external_id),
          'the first page by spend',
        );
        assertEqual(
          await totalShown(page),
          `${bySpend.json.total.toLocaleString('en-US')} customers`,
          'the total with a sort',
        );
        const second = await apiAsPage(
          page,
          'GET',
          `/api/v1/customers?sort=spend&limit=25&cursor=${encodeURIComponent(bySpend.json.next_cursor)}`,
        );
        await page.getByRole('button', { name: 'Next' }).click();
        await listShows(
          page,
          second.json.items.map((c) => c.external_id),
          'the second page by spend',
        );
        assert(
          Number(second.json.items[0].total_spend) <= Number(top.at(-1).total_spend),
          'the second page spends less',
        );
        await page.getByText(`Page 2 of ${Math.ceil(bySpend.json.total / 25)}`).waitFor();
        // A reload keeps the sort; a new sort starts again at page 1.
        await page.reload();
        await heading(page, 'Customers');
        assertEqual(
          await page.getByRole('combobox', { name: 'Sort by' }).inputValue(),
          'spend',
          'the sort after a reload',
        );
        await page.getByRole('combobox', { name: 'Sort by' }).selectOption('name');
        const byName = await apiAsPage(page, 'GET', '/api/v1/customers?sort=name&limit=25');
        await listShows(
          page,
          byName.json.items.map((c) => c.external_id),
          'the first page by name',
        );
        await page.getByText(/^Page 1 of/).waitFor();
        await page.getByRole('combobox', { name: 'Sort by' }).selectOption('spend');
        await listShows(
          page,
          top.map((c) => c.external_id),
          'the first page by spend again',
        );
        await checkPage(page, 'customers-by-spend', screenshots);
      },
    ],
    [
      'audiences: a saved segment and the rule in the editor export their customers as CSV',
      async ({ page }) => {
        const segments = await apiAsPage(page, 'GET', '/api/v1/segments');
        const segment = segments.json.items[0];
        assert(segment, 'a saved segment');
        await page.goto(`${base}/audiences`);
        await heading(page, 'Audiences');
        const [download] = await Promise.all([
          page.waitForEvent('download'),
          page.getByRole('button', { name: `Export customers (CSV) of “${segment.name}”` }).click(),
        ]);
        const records = parseCsv(await readFile(await download.path(), 'utf8'));
        const preview = await apiAsPage(page, 'POST', '/api/v1/segments/preview', { rule: segment.rule });
        assertEqual(records.length - 1, preview.json.count, 'the segment file holds whom the preview counts');
        await checkPage(page, 'audiences-export', screenshots);

        await page.getByRole('link', { name: segment.name }).click();
        await heading(page, segment.name);
        await page.getByText('Up to date').waitFor();
        const [fromRule] = await Promise.all([
          page.waitForEvent('download'),
          page.getByRole('button', { name: 'Export customers (CSV)' }).click(),
        ]);
        assert(new URL(fromRule.url()).protocol === 'blob:', 'the file is handed over by the page');
        const ruleRecords = parseCsv(await readFile(await fromRule.path(), 'utf8'));
        assertEqual(ruleRecords.length - 1, preview.json.count, 'the rule file holds whom the preview counts');
      },
    ],
    [
      'channels: e-mail to SMTP is refused at its fields in plain words, then saved; SMS and WhatsApp stay on the server default; test messages say how they went',
      async ({ page }) => {
        await page.goto(`${base}/settings?tab=channels`);
        await heading(page, 'Settings');
        const card = (name) => page.getByRole('region', { name, exact: true });
        const email = card('E-mail');
        const mode = email.getByRole('combobox', { name: 'How it is delivered' });
        await mode.waitFor();
        for (const name of ['SMS', 'WhatsApp', 'E-mail'])
          assertEqual(
            await card(name).getByRole('combobox', { name: 'How it is delivered' }).inputValue(),
            'default',
            `${name} on the server default at first`,
          );
        assertEqual(
          await mode.locator('option').allTextContents(),
          [
            'Converge’s default sender (server default)',
            'A messaging vendor (HTTP API)',
            'Your own mail server (SMTP)',
          ],
          'the ways e-mail can go',
        );
        await checkPage(page, 'settings-channels', screenshots);

        await mode.selectOption('smtp');
        await email.getByLabel('Mail server (SMTP host)').fill('smtp brand example');
        await email.getByLabel('Port').fill('587');
        await email.getByLabel('Security').selectOption('starttls');
        await email.getByLabel('User name').fill('mailer');
        await email.getByLabel('Password').fill('app-password-1');
        await email.getByLabel('From address').fill('offers at brand');
        await email.getByLabel('From name').fill('Tanvi Sweets');
        await email.getByRole('button', { name: 'Save E-mail settings' }).click();
        assertEqual(
          await fieldError(page, email, 'Mail server (SMTP host)'),
          'must be a host name or IP address',
          'the host’s message',
        );
        assertEqual(
          await fieldError(page, email, 'From address'),
          'must be an e-mail address',
          'the address’s message',
        );
        await email.getByText('Not saved: see the marked settings.').waitFor();
        await checkPage(page, 'settings-channels-errors', screenshots);

        await email.getByLabel('Mail server (SMTP host)').fill('smtp.brand.invalid');
        await email.getByLabel('From address').fill('offers@brand.example');
        const put = page.waitForRequest((r) => r.method() === 'PUT' && r.url().endsWith('/api/v1/settings/channels'));
        await email.getByRole('button', { name: 'Save E-mail settings' }).click();
        const sent = JSON.parse((await put).postData());
        assertEqual(
          [sent.sms, sent.whatsapp],
          [{ kind: 'default' }, { kind: 'default' }],
          'the others sent as defaults',
        );
        await email.getByText('Saved.').waitFor();

        await page.reload();
        await heading(page, 'Settings');
        await mode.waitFor();
        for (const name of ['SMS', 'WhatsApp']) {
          assertEqual(
            await card(name).getByRole('combobox', { name: 'How it is delivered' }).inputValue(),
            'default',
            `${name} after the reload`,
          );
          await card(name).getByText('Server default', { exact: true }).waitFor();
        }
        const api = await apiAsPage(page, 'GET', '/api/v1/settings/channels');
        assertEqual(api.json.sources, { email: 'workspace', sms: 'default', whatsapp: 'default' }, 'the API’s sources');
        assertEqual(await mode.inputValue(), 'smtp', 'e-mail after the reload');
        assertEqual(await email.getByLabel('Mail server (SMTP host)').inputValue(), 'smtp.brand.invalid', 'the host');
        const password = email.getByLabel('Password');
        assertEqual(await password.inputValue(), '', 'the saved password is not shown');
        assertEqual(await password.getAttribute('placeholder'), 'saved — leave blank to keep', 'the saved password');
        assert(!(await page.content()).includes('[redacted]'), 'no “[redacted]” on the page');

        // Saved again untouched: the password is kept ([redacted] sent back), e-mail is still SMTP.
        const again = page.waitForRequest((r) => r.method() === 'PUT' && r.url().endsWith('/api/v1/settings/channels'));
        await email.getByRole('button', { name: 'Save E-mail settings' }).click();
        assertEqual(JSON.parse((await again).postData()).email.password, '[redacted]', 'the kept password as sent');
        await email.getByText('Saved.').waitFor();

        // Tests: e-mail's relay does not exist, so it fails with a reason; SMS goes through the default.
        await email.getByLabel('Send a test message to').fill('owner@example.com');
        await email.getByRole('button', { name: 'Send test' }).click();
        const emailResult = email.getByTestId('channel-email-test-result');
        await emailResult.getByText(/^Failed: .+/).waitFor({ timeout: 30_000 });
        const sms = card('SMS');
        await sms.getByLabel('Send a test message to').fill('12345');
        await sms.getByRole('button', { name: 'Send test' }).click();
        const toError = await fieldError(page, sms, 'Send a test message to');
        assert(toError.length > 0, 'a bad number is refused at its field');
        await sms.getByLabel('Send a test message to').fill('+919812345602');
        await sms.getByRole('button', { name: 'Send test' }).click();
        await sms
          .getByTestId('channel-sms-test-result')
          .getByText(/^(Sent|Failed: .+)$/)
          .waitFor({ timeout: 30_000 });
        await checkPage(page, 'settings-channels-smtp', screenshots);

        // WhatsApp to a vendor of its own: a bad address in plain words, then saved with its receipt address.
        const whatsapp = card('WhatsApp');
        await whatsapp.getByRole('combobox', { name: 'How it is delivered' }).selectOption('vendor');
        await whatsapp.getByLabel('Vendor address').fill('api vendor');
        await whatsapp.getByLabel('API key').fill('wa-key-1');
        await whatsapp.getByLabel('Signing secret for delivery receipts').fill('wa-signing-secret-0123456789');
        await whatsapp
          .getByText('Once saved, this shows the address your vendor should send delivery receipts to.')
          .waitFor();
        await whatsapp.getByRole('button', { name: 'Save WhatsApp settings' }).click();
        assertEqual(
          await fieldError(page, whatsapp, 'Vendor address'),
          'must be a full web address, such as https://api.vendor.com',
          'the vendor address’s message',
        );
        await whatsapp.getByLabel('Vendor address').fill('https://api.vendor.invalid');
        const third = page.waitForRequest((r) => r.method() === 'PUT' && r.url().endsWith('/api/v1/settings/channels'));
        await whatsapp.getByRole('button', { name: 'Save WhatsApp settings' }).click();
        const body = JSON.parse((await third).postData());
        assertEqual(body.sms, { kind: 'default' }, 'SMS sent as the default');
        assertEqual([body.email.kind, body.email.password], ['smtp', '[redacted]'], 'e-mail sent as saved');
        await whatsapp.getByText('Saved.').waitFor();
        const now = await apiAsPage(page, 'GET', '/api/v1/settings/channels');
        assertEqual(now.json.sources, { email: 'workspace', sms: 'default', whatsapp: 'workspace' }, 'the sources now');
        const receipt = whatsapp.getByLabel('Receipt address');
        assertEqual(await receipt.inputValue(), now.json.receipt_urls.whatsapp, 'the receipt address shown');
        assert(/\/api\/v1\/delivery-receipts\/rt_/.test(await receipt.inputValue()), 'a receipt address of its own');
        await whatsapp.getByText('Messaging vendor', { exact: true }).waitFor();
        await card('SMS').getByText('Server default', { exact: true }).waitFor();
        await checkPage(page, 'settings-channels-vendor', screenshots);

        // Back to the server default everywhere, so later steps send as they did before this one.
        const reset = await apiAsPage(page, 'PUT', '/api/v1/settings/channels', {
          sms: { kind: 'default' },
          whatsapp: { kind: 'default' },
          email: { kind: 'default' },
        });
        assertEqual(reset.status, 200, 'every channel back on the server default');
      },
    ],
  ];
}

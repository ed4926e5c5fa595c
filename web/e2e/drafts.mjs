// Campaign drafts in the browser: saved as typed (and on the way out), reopened from the list, edited,
// duplicated and launched; then the live page's final numbers against the API's.
import { apiAsPage, assert, assertEqual, numberIn } from './lib/app.mjs';
import { checkPage } from './lib/checks.mjs';
import { waitFor } from './lib/processes.mjs';

async function heading(page, name) {
  await page.getByRole('heading', { level: 1, name }).waitFor();
}

async function saved(page) {
  await page.getByTestId('save-state').getByText('Saved', { exact: true }).waitFor();
}

const editId = (url) => Number(new URL(url).pathname.split('/').at(-2));

export function draftFlows({ base, screenshots }, state) {
  return [
    [
      'a draft is saved as it is typed and when the marketer leaves, then reopened from the list and edited',
      async ({ page }) => {
        await page.goto(`${base}/campaigns/new?segment=${state.segmentId}`);
        await heading(page, 'New campaign');
        await page.getByLabel('Campaign name').fill('Spring draft');
        await saved(page);
        await page.waitForURL(/\/campaigns\/\d+\/edit$/);
        const id = editId(page.url());
        state.draftId = id;
        const created = await apiAsPage(page, 'GET', `/api/v1/campaigns/${id}`);
        assertEqual(created.json.status, 'draft', 'the status of the new draft');
        assertEqual(created.json.segment_id, state.segmentId, 'the audience of the new draft');
        assertEqual(created.json.stats.audience, 0, 'no audience snapshot before launch');
        // The composer did not start over when its address changed: typing carries on in the same form.
        const message = page.getByLabel('Message', { exact: true });
        await message.fill('Hi {{ first_name | default("there") }}, spring is here - {{ brand }}');
        // Leave at once, before the debounce: the pending change is saved on the way out.
        await page.getByRole('link', { name: 'Campaigns', exact: true }).click();
        await heading(page, 'Campaigns');
        const left = await waitFor('the change saved on the way out', async () => {
          const r = await apiAsPage(page, 'GET', `/api/v1/campaigns/${id}`);
          return r.json.template.includes('spring is here') ? r.json : null;
        });
        assertEqual(left.name, 'Spring draft', 'the saved name');
        const row = page.getByRole('row', { name: /Spring draft/ });
        await row.getByText('Draft', { exact: true }).waitFor();
        await checkPage(page, 'campaigns-with-draft', screenshots);

        await row.getByRole('link', { name: 'Spring draft' }).click();
        await page.waitForURL(`${base}/campaigns/${id}/edit`);
        await heading(page, 'Edit draft');
        assertEqual(await page.getByLabel('Campaign name').inputValue(), 'Spring draft', 'the name reopened');
        assertEqual(await message.inputValue(), left.template, 'the message reopened');
        await page.getByTestId('segment-count').waitFor();
        await page.getByLabel('Campaign name').fill('Spring sale draft');
        await saved(page);
        const edited = await apiAsPage(page, 'GET', `/api/v1/campaigns/${id}`);
        assertEqual(edited.json.name, 'Spring sale draft', 'the edited name');
        assertEqual(edited.json.template, left.template, 'the message kept by the edit');
        await checkPage(page, 'campaign-draft-editor', screenshots);
      },
    ],
    [
      'a draft’s page says nothing was sent; its duplicate opens in the editor and launches',
      async ({ page }) => {
        const id = state.draftId;
        await page.goto(`${base}/campaigns/${id}`);
        await heading(page, 'Spring sale draft');
        assertEqual(
          (await page.getByTestId('status-line').textContent())?.trim(),
          'Draft — nothing sent yet',
          'the status line of a draft',
        );
        for (const name of ['Launch', 'Edit', 'Duplicate', 'Discard'])
          await page.getByRole(name === 'Edit' ? 'link' : 'button', { name, exact: true }).waitFor();
        await checkPage(page, 'campaign-draft', screenshots);

        await page.getByRole('button', { name: 'Duplicate', exact: true }).click();
        await page.waitForURL((url) => /\/campaigns\/\d+\/edit$/.test(url.pathname) && editId(url.href) !== id);
        const copyId = editId(page.url());
        await heading(page, 'Edit draft');
        assertEqual(await page.getByLabel('Campaign name').inputValue(), 'Spring sale draft (copy)', 'the copy');
        await page.getByTestId('segment-count').waitFor();
        await page.getByRole('button', { name: 'Review and send' }).click();
        const dialog = page.getByRole('dialog');
        await dialog.getByText(`goes to ${state.audienceCount.toLocaleString('en-US')} customers`).waitFor();
        await dialog.getByTestId('brand-warning').waitFor();
        await dialog.getByRole('button', { name: /^Send to/ }).click();
        await page.waitForURL(`${base}/campaigns/${copyId}`);
        await heading(page, 'Spring sale draft (copy)');
        state.copyId = copyId;
        const launched = await apiAsPage(page, 'GET', `/api/v1/campaigns/${copyId}`);
        assert(['running', 'completed'].includes(launched.json.status), `launched: ${launched.json.status}`);
        assertEqual(launched.json.stats.audience, state.audienceCount, 'the audience fixed at launch');
        const original = await apiAsPage(page, 'GET', `/api/v1/campaigns/${id}`);
        assertEqual(original.json.status, 'draft', 'the duplicated draft is still a draft');
      },
    ],
    [
      'at the end of a campaign the live page shows exactly the API’s numbers',
      async ({ page }) => {
        const id = state.copyId;
        const final = await waitFor(
          'the campaign to finish',
          async () => {
            const r = await apiAsPage(page, 'GET', `/api/v1/campaigns/${id}`);
            return r.json.status === 'completed' && r.json.stats.pending === 0 ? r.json : null;
          },
          { timeoutMs: 120_000, intervalMs: 500 },
        );
        await waitFor(
          'the page to say it is completed',
          async () => (await page.getByTestId('status-line').textContent())?.trim() === 'Completed',
          { timeoutMs: 15_000 },
        );
        // After the last poll (and its one final refetch) the page must stand on the API's numbers.
        await page.waitForTimeout(1500);
        const api = (await apiAsPage(page, 'GET', `/api/v1/campaigns/${id}`)).json;
        assertEqual(api.stats, final.stats, 'the stats once completed do not move');
        const shown = {};
        const want = {};
        for (const key of ['audience', 'sent', 'failed', 'skipped', 'pending']) {
          shown[key] = await numberIn(page.getByTestId(`stat-${key}`));
          want[key] = api.stats[key];
        }
        assertEqual(shown, want, 'the stat cards');
        await page.getByTestId('chart-sent').waitFor();
        assertEqual(await numberIn(page.getByTestId('chart-sent')), api.stats.sent, 'the chart’s sent');
        assertEqual(await numberIn(page.getByTestId('chart-failed')), api.stats.failed, 'the chart’s failed');
        const timeline = api.timeline.reduce((n, p) => n + p.sent, 0);
        assertEqual(timeline, api.stats.sent, 'the API’s own timeline adds up to its sent count');
        assertEqual(
          await page.getByRole('progressbar').getAttribute('aria-valuenow'),
          '100',
          'the progress of a finished campaign',
        );
        await checkPage(page, 'campaign-completed', screenshots);
      },
    ],
  ];
}

// E-mail as a real channel, in the browser: an e-mail built from blocks (heading, text, button, image,
// divider) in the composer, previewed at desktop and phone widths, its MJML broken by hand in the source view
// (the server's line and column shown) and mended, then test-sent through the workspace's own SMTP server —
// a real aiosmtpd started here — and the message that arrived read back: subject, HTML and text parts.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { apiAsPage, assert, assertEqual } from './lib/app.mjs';
import { checkPage } from './lib/checks.mjs';
import { waitFor } from './lib/processes.mjs';
import { startSmtp } from './lib/smtp.mjs';

const OUT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'out');

const HEADING = 'Spring collection is here';
const PARAGRAPH = 'Tulips & daffodils at {{ brand }}, 20% off until Sunday.';
/** The paragraph as sent: `{{ brand }}` is the brand name the brand step saved. */
const PARAGRAPH_SENT = 'Tulips & daffodils at Tanvi Sweets, 20% off until Sunday.';
const BUTTON = { label: 'Shop the sale', href: 'https://brand.example/spring?utm=mail' };
const ALT = 'A bunch of spring flowers';

/** The text of the rendered preview, read inside its sandboxed frame. */
async function previewText(page) {
  return (await page.frameLocator('iframe[data-testid="message-preview"]').locator('body').textContent()) ?? '';
}

async function previewWidth(page) {
  return (await page.getByTestId('message-preview').boundingBox())?.width ?? 0;
}

export function emailBlockFlows({ base, screenshots }) {
  const state = {};
  return [
    [
      'an e-mail built from blocks is previewed at desktop and phone widths; broken MJML shows its line and column',
      async ({ page }) => {
        const imageUrl = `${base}/favicon.svg`;
        state.imageUrl = imageUrl;
        await page.goto(`${base}/campaigns/new`);
        await page.getByRole('heading', { level: 1, name: 'New campaign' }).waitFor();
        await page.getByLabel('Campaign name').fill('Spring blocks');
        await page.getByRole('combobox', { name: 'Channel', exact: true }).selectOption('email');
        const blocks = page.getByTestId('block-editor');
        await blocks.waitFor();
        // Only the footer to begin with, and it cannot be removed.
        assertEqual(await blocks.locator('li[data-block]').count(), 1, 'the blocks of a new e-mail');
        await blocks.locator('li[data-block="footer"]').waitFor();

        const add = (name) => blocks.getByRole('group', { name: 'Add a block' }).getByRole('button', { name });
        await add('+ Heading').click();
        await blocks.getByLabel('Heading', { exact: true }).fill(HEADING);
        await add('+ Text').click();
        await blocks.getByLabel('Text', { exact: true }).fill(PARAGRAPH);
        await add('+ Button').click();
        await blocks.getByLabel('Button label').fill(BUTTON.label);
        await blocks.getByLabel('Button link').fill(BUTTON.href);
        await add('+ Divider').click();
        await add('+ Image').click();
        await blocks.getByLabel('Image address').fill(imageUrl);
        await blocks.getByLabel('Alt text').fill(ALT);
        // The image went in after the divider: move it up above it.
        await blocks.getByRole('button', { name: 'Move Image (block 5) up' }).click();
        const order = () => blocks.locator('li[data-block]').evaluateAll((lis) => lis.map((li) => li.dataset.block));
        assertEqual(await order(), ['heading', 'text', 'button', 'image', 'divider', 'footer'], 'the blocks in order');
        await page.getByTestId('unsubscribe-help').getByText('contains the unsubscribe link').waitFor();

        // The server's rendering, in the sandboxed frame, with the subject above it.
        await waitFor('the preview of the blocks', async () => {
          const text = await previewText(page);
          return text.includes(HEADING) && text.includes(PARAGRAPH_SENT) && text.includes(BUTTON.label);
        });
        const frame = page.frameLocator('iframe[data-testid="message-preview"]');
        assertEqual(await frame.locator(`img[alt="${ALT}"]`).getAttribute('src'), imageUrl, 'the image');
        assertEqual(
          await frame.getByRole('link', { name: BUTTON.label }).getAttribute('href'),
          BUTTON.href,
          'the button link',
        );
        assertEqual(await page.getByTestId('message-preview').getAttribute('sandbox'), '', 'the frame is sandboxed');
        assertEqual(await page.getByTestId('email-subject').textContent(), 'Spring blocks', 'the subject shown');
        await page.getByTestId('save-state').getByText('Saved', { exact: true }).waitFor();
        await page.waitForURL(/\/campaigns\/\d+\/edit$/);
        state.id = Number(new URL(page.url()).pathname.split('/').at(-2));
        const saved = await apiAsPage(page, 'GET', `/api/v1/campaigns/${state.id}`);
        assert(saved.json.template.startsWith('<mjml>'), `the saved template is MJML: ${saved.json.template}`);
        assert(saved.json.template.includes('Tulips &amp; daffodils'), 'the text is escaped in the MJML');

        const desktop = await previewWidth(page);
        assert(desktop >= 600, `the desktop preview is at least 600 px wide: ${desktop}`);
        await checkPage(page, 'email-composer-blocks', screenshots);
        await page.getByRole('group', { name: 'Preview width' }).getByRole('button', { name: 'Phone' }).click();
        await waitFor('the phone width', async () => Math.abs((await previewWidth(page)) - 375) <= 2);
        await checkPage(page, 'email-composer-phone', screenshots);
        await page.getByRole('group', { name: 'Preview width' }).getByRole('button', { name: 'Desktop' }).click();

        // The source view shows the MJML the blocks wrote; broken by hand, the server says where.
        const views = page.getByRole('group', { name: 'Edit the e-mail as' });
        await views.getByRole('button', { name: 'Source' }).click();
        const source = page.getByLabel('Message', { exact: true });
        const mjml = await source.inputValue();
        assertEqual(mjml, saved.json.template, 'the source view');
        assert(mjml.includes(`<mj-button href="${BUTTON.href}">${BUTTON.label}</mj-button>`), 'the button in MJML');
        await source.fill(mjml.replace('</mj-button>', '</mj-buton>'));
        await page.getByTestId('source-note').waitFor();
        assert(await views.getByRole('button', { name: 'Blocks' }).isDisabled(), 'no blocks for broken MJML');
        const error = await waitFor('the MJML error at the source', async () => {
          const id = (await source.getAttribute('aria-describedby'))?.split(' ').find((d) => d.endsWith('-error'));
          return id ? page.locator(`[id="${id}"]`).textContent() : null;
        });
        assert(/line \d+, column \d+: MJML/.test(error), `the error names its line and column: ${error}`);
        assert(error.includes('mj-buton'), `the error names the tag: ${error}`);
        await checkPage(page, 'email-composer-source-error', screenshots);

        // Mended, the blocks come back.
        await source.fill(mjml);
        await views.getByRole('button', { name: 'Blocks' }).click();
        await blocks.getByLabel('Heading', { exact: true }).waitFor();
        assertEqual(await blocks.getByLabel('Heading', { exact: true }).inputValue(), HEADING, 'the heading read back');
        await waitFor('the mended MJML to be saved', async () => {
          const r = await apiAsPage(page, 'GET', `/api/v1/campaigns/${state.id}`);
          return r.json.template === mjml;
        });
      },
    ],
    [
      'a test of the block e-mail goes through the workspace’s SMTP server and arrives with HTML and text parts',
      async ({ page }) => {
        const smtp = await startSmtp(OUT);
        try {
          const put = await apiAsPage(page, 'PUT', '/api/v1/settings/channels', {
            sms: { kind: 'default' },
            whatsapp: { kind: 'default' },
            email: {
              kind: 'smtp',
              host: '127.0.0.1',
              port: smtp.port,
              tls: 'none',
              from_address: 'offers@brand.example',
            },
          });
          assertEqual(put.status, 200, `the channels saved (${put.text})`);

          await page.goto(`${base}/campaigns/${state.id}`);
          await page.getByRole('heading', { level: 1, name: 'Spring blocks' }).waitFor();
          await page.getByRole('button', { name: 'Send a test' }).click();
          const dialog = page.getByRole('dialog', { name: 'Send a test' });
          await dialog.getByLabel('Send to').fill('marketer@inbox.example');
          await dialog.getByRole('button', { name: 'Send test' }).click();
          await dialog
            .locator('li[data-address="marketer@inbox.example"][data-state="sent"]')
            .waitFor({ timeout: 30_000 });

          const [mail] = await waitFor(
            'the message at the SMTP server',
            () => smtp.messages().length && smtp.messages(),
          );
          assertEqual(mail.rcpt_tos, ['marketer@inbox.example'], 'the recipient');
          assertEqual(mail.subject, '[Test] Spring blocks', 'the subject, marked as a test');
          // The Brand settings' sender (set earlier in the run) is used over the channel's own from address.
          assert(/hello@tanvi\.example|offers@brand\.example/.test(mail.from), `the sender: ${mail.from}`);
          const html = mail.html ?? '';
          assert(!html.includes('<mj-'), 'no MJML left in the HTML part');
          assert(html.includes(HEADING), 'the heading in the HTML part');
          assert(
            html.includes('Tulips &amp; daffodils at Tanvi Sweets'),
            'the paragraph, escaped, with the brand, in the HTML part',
          );
          assert(html.includes(BUTTON.label) && html.includes(`href="${BUTTON.href}"`), 'the button in the HTML part');
          assert(
            html.includes(`src="${state.imageUrl}"`) && html.includes(`alt="${ALT}"`),
            'the image in the HTML part',
          );
          assert(!html.includes('{{'), 'every template value filled in');
          const text = mail.text ?? '';
          assert(text.includes(HEADING), `the heading in the text part: ${text}`);
          assert(text.includes(PARAGRAPH_SENT), `the paragraph, with the brand name, in the text part: ${text}`);
          assert(!text.includes('<mj-') && !text.includes('<td'), `no markup in the text part: ${text}`);
        } finally {
          smtp.stop();
        }
      },
    ],
  ];
}

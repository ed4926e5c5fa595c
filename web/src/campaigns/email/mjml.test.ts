// Blocks ⇄ MJML: what the editor writes reads back as the same blocks, user text is escaped but template
// values are not, the server's starters open as blocks, and MJML of any other shape is left to the source view.
import { describe, expect, it } from 'vitest';

import {
  FOOTER_CONTENT,
  fromMjml,
  isMjml,
  readContent,
  toMjml,
  withMjmlUnsubscribe,
  writeAttribute,
  writeContent,
  type Block,
} from './mjml';

/** The server's "Win back" starter, as crates/domain/src/template/saved.rs has it. */
const WIN_BACK =
  '<mjml>\n  <mj-body background-color="#f4f4f5">\n    <mj-section background-color="#ffffff">\n      <mj-column>\n' +
  '        <mj-text font-size="24px" font-weight="700">We miss you, {{ first_name | default("friend") }}</mj-text>\n' +
  '        <mj-text>It has been a while since your last visit to {{ brand }}. Here is 15% off your next order with the code <strong>COMEBACK15</strong>.</mj-text>\n' +
  '        <mj-divider border-color="#e4e4e7" border-width="1px" />\n' +
  '        <mj-text font-size="12px" color="#666666">{{ postal_address }}<br /><a href="{{ unsubscribe_url }}">Unsubscribe or change preferences</a></mj-text>\n' +
  '      </mj-column>\n    </mj-section>\n  </mj-body>\n</mjml>';

const EVERY_KIND: Block[] = [
  { kind: 'heading', text: 'Spring is here, {{ first_name | default("friend") }}' },
  { kind: 'text', text: 'Everything is 20% off.\nUntil **Sunday**{% if city %} in {{ city }}{% endif %}.' },
  { kind: 'button', label: 'Shop the sale', href: 'https://brand.example/sale?from=mail&utm=spring' },
  { kind: 'image', src: 'https://brand.example/banner.png', alt: 'Tulips & daffodils' },
  { kind: 'divider' },
];

describe('toMjml', () => {
  it('writes the starters’ shape, with the footer last', () => {
    const mjml = toMjml([
      { kind: 'heading', text: 'We miss you, {{ first_name | default("friend") }}' },
      {
        kind: 'text',
        text: 'It has been a while since your last visit to {{ brand }}. Here is 15% off your next order with the code **COMEBACK15**.',
      },
      { kind: 'divider' },
    ]);
    expect(mjml).toBe(WIN_BACK);
  });

  it('writes every kind of block', () => {
    const mjml = toMjml(EVERY_KIND);
    expect(mjml).toContain(
      '<mj-button href="https://brand.example/sale?from=mail&amp;utm=spring">Shop the sale</mj-button>',
    );
    expect(mjml).toContain('<mj-image src="https://brand.example/banner.png" alt="Tulips &amp; daffodils" />');
    expect(mjml).toContain('<mj-text>Everything is 20% off.<br />Until <strong>Sunday</strong>{% if city %}');
    expect(mjml).toContain(FOOTER_CONTENT);
    expect(isMjml(mjml)).toBe(true);
  });

  it('writes no blocks as the footer alone, which still reads back', () => {
    expect(fromMjml(toMjml([]))).toEqual([]);
  });
});

describe('escaping', () => {
  it('escapes markup in text but leaves template values as typed', () => {
    expect(writeContent('a < b & c > d "q"')).toBe('a &lt; b &amp; c &gt; d "q"');
    expect(writeContent('<script>alert(1)</script>')).toBe('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(writeContent('{{ a < b }} & {% if x > 1 %}y{% endif %}')).toBe(
      '{{ a < b }} &amp; {% if x > 1 %}y{% endif %}',
    );
  });

  it('escapes quotes in attributes; a template value’s string literals take single quotes', () => {
    expect(writeAttribute('say "hi" & <go>')).toBe('say &quot;hi&quot; &amp; &lt;go>');
    expect(writeAttribute('{{ shop_url | default("https://brand.example") }}')).toBe(
      "{{ shop_url | default('https://brand.example') }}",
    );
  });

  it('cannot be broken out of: text that looks like MJML stays text', () => {
    const blocks: Block[] = [
      { kind: 'text', text: '</mj-text><mj-raw><script>x</script></mj-raw><mj-text>' },
      { kind: 'button', label: 'Go', href: '" onclick="x' },
      { kind: 'image', src: 'https://brand.example/a.png', alt: '"/><mj-raw>' },
    ];
    const mjml = toMjml(blocks);
    expect(mjml).not.toContain('<mj-raw');
    expect(mjml).not.toContain('" onclick');
    expect(fromMjml(mjml)).toEqual(blocks);
  });

  it('reads back the entities it writes, and refuses others', () => {
    expect(readContent('a &lt; b &amp; c &gt; d &quot;q&quot; &#39;')).toBe('a < b & c > d "q" \'');
    expect(readContent('&copy; 2025')).toBeNull();
    expect(readContent('<em>hi</em>')).toBeNull();
    expect(readContent('line<br>break<br/>and<br />more')).toBe('line\nbreak\nand\nmore');
  });
});

describe('fromMjml', () => {
  it('round-trips every kind of block', () => {
    expect(fromMjml(toMjml(EVERY_KIND))).toEqual(EVERY_KIND);
  });

  it('round-trips awkward text', () => {
    const blocks: Block[] = [
      { kind: 'heading', text: 'Tom & Jerry <3 "quotes"' },
      { kind: 'text', text: '&amp; is written &amp;\n\nTwo breaks; ** alone' },
      { kind: 'text', text: '' },
      { kind: 'button', label: 'A & B', href: 'https://x.example/?a=1&b="2"' },
    ];
    expect(fromMjml(toMjml(blocks))).toEqual(blocks);
  });

  it('reads the server’s starters', () => {
    expect(fromMjml(WIN_BACK)).toEqual([
      { kind: 'heading', text: 'We miss you, {{ first_name | default("friend") }}' },
      {
        kind: 'text',
        text: 'It has been a while since your last visit to {{ brand }}. Here is 15% off your next order with the code **COMEBACK15**.',
      },
      { kind: 'divider' },
    ]);
  });

  it('reads its own writing whatever the whitespace between elements', () => {
    const squashed = toMjml(EVERY_KIND).replace(/>\s+</g, '><');
    expect(fromMjml(squashed)).toEqual(EVERY_KIND);
  });

  it.each([
    ['plain HTML', '<h1>Hi</h1><p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>'],
    ['empty', ''],
    ['another element', WIN_BACK.replace('<mj-divider', '<mj-spacer height="20px" />\n<mj-divider')],
    ['another attribute', WIN_BACK.replace('<mj-text>', '<mj-text align="center">')],
    ['inline markup the blocks do not know', WIN_BACK.replace('<strong>', '<em>').replace('</strong>', '</em>')],
    ['two columns', WIN_BACK.replace('</mj-column>', '</mj-column><mj-column><mj-text>x</mj-text></mj-column>')],
    [
      'a second section',
      WIN_BACK.replace('</mj-section>', '</mj-section><mj-section><mj-column></mj-column></mj-section>'),
    ],
    ['another background', WIN_BACK.replace('#f4f4f5', '#000000')],
    ['no footer', WIN_BACK.replace(/<mj-text font-size="12px"[^\n]*\n/, '')],
    ['a changed footer', WIN_BACK.replace('Unsubscribe or change preferences', 'Leave')],
    ['an unclosed element', WIN_BACK.replace('</mj-text>', '')],
    ['a misspelt closing tag', WIN_BACK.replace('</mj-column>', '</mj-colum>')],
    [
      'a button with other attributes',
      toMjml([{ kind: 'button', label: 'x', href: 'https://a' }]).replace('<mj-button', '<mj-button color="red"'),
    ],
    ['text after the document', `${WIN_BACK}\n<p>hi</p>`],
    ['a comment', WIN_BACK.replace('<mj-divider', '<!-- note -->\n<mj-divider')],
  ])('leaves MJML with %s to the source view', (_what, source) => {
    expect(fromMjml(source)).toBeNull();
  });
});

describe('withMjmlUnsubscribe', () => {
  it('adds the link inside the column, so the body stays MJML', () => {
    const source =
      '<mjml><mj-body><mj-section><mj-column><mj-text>Hi</mj-text></mj-column></mj-section></mj-body></mjml>';
    const next = withMjmlUnsubscribe(source)!;
    expect(next).toMatch(/<a href="\{\{ unsubscribe_url \}\}">[^<]+<\/a><\/mj-text>\s*<\/mj-column>/);
    expect(next.endsWith('</mjml>')).toBe(true);
  });

  it('leaves bodies that are not MJML to the caller', () => {
    expect(withMjmlUnsubscribe('<p>Hi</p>')).toBeNull();
  });
});

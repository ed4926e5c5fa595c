// E-mail bodies as blocks, and the MJML they are written as: one column of headings, paragraphs, buttons,
// images and dividers on a white card, always ending with the footer (postal address + unsubscribe link).
// `toMjml` writes the shape of the server's starters; `fromMjml` reads back only that shape (so the starters
// and what this module wrote), and answers null for anything else, which the composer then shows as source.
// Template values (`{{ … }}`, `{% … %}`, `{# … #}`) pass through as typed; the server checks and renders them.

export type Block =
  | { kind: 'heading'; text: string }
  | { kind: 'text'; text: string }
  | { kind: 'button'; label: string; href: string }
  | { kind: 'image'; src: string; alt: string }
  | { kind: 'divider' };

export type BlockKind = Block['kind'];

/** The footer every e-mail ends with: the sender's postal address and each recipient's unsubscribe link. */
export const FOOTER_CONTENT =
  '{{ postal_address }}<br /><a href="{{ unsubscribe_url }}">Unsubscribe or change preferences</a>';

const BODY_ATTRS = { 'background-color': '#f4f4f5' };
const SECTION_ATTRS = { 'background-color': '#ffffff' };
const HEADING_ATTRS = { 'font-size': '24px', 'font-weight': '700' };
const FOOTER_ATTRS = { 'font-size': '12px', color: '#666666' };
const DIVIDER_ATTRS = { 'border-color': '#e4e4e7', 'border-width': '1px' };

/** A new block of `kind` as the editor adds it. */
export function emptyBlock(kind: BlockKind): Block {
  switch (kind) {
    case 'heading':
      return { kind, text: '' };
    case 'text':
      return { kind, text: '' };
    case 'button':
      return { kind, label: '', href: 'https://' };
    case 'image':
      return { kind, src: 'https://', alt: '' };
    case 'divider':
      return { kind };
  }
}

/** Whether a body is MJML (the server's own test: it starts with `<mjml`). */
export function isMjml(text: string): boolean {
  return /^\s*<mjml[\s>]/i.test(text);
}

// ---- writing -------------------------------------------------------------------------------------------

const TEMPLATE_VALUE = /(\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}|\{#[\s\S]*?#\})/;

/** `text` cut into plain pieces (even indexes) and template values (odd indexes). */
function pieces(text: string): string[] {
  return text.split(TEMPLATE_VALUE);
}

function escapeText(plain: string): string {
  return plain.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Content of an `<mj-text>` or `<mj-button>`: escaped, `**bold**` as `<strong>`, line breaks as `<br />`. */
export function writeContent(text: string): string {
  return pieces(text)
    .map((piece, i) => {
      if (i % 2 === 1) return piece;
      return escapeText(piece)
        .replace(/\*\*([^*\n]+)\*\*/g, '<strong>$1</strong>')
        .replace(/\r?\n/g, '<br />');
    })
    .join('');
}

/**
 * An attribute value between double quotes: `&`, `<` and `"` escaped in plain text. Inside a template value
 * a `"` would end the attribute, so its string literals are written with single quotes (the same to the
 * template language).
 */
export function writeAttribute(value: string): string {
  return pieces(value)
    .map((piece, i) =>
      i % 2 === 1
        ? piece.includes("'")
          ? piece.replace(/"/g, '&quot;')
          : piece.replace(/"/g, "'")
        : piece.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;'),
    )
    .join('');
}

function attrs(values: Record<string, string>): string {
  return Object.entries(values)
    .map(([name, value]) => ` ${name}="${writeAttribute(value)}"`)
    .join('');
}

function writeBlock(block: Block): string {
  switch (block.kind) {
    case 'heading':
      return `<mj-text${attrs(HEADING_ATTRS)}>${writeContent(block.text.replace(/\r?\n/g, ' '))}</mj-text>`;
    case 'text':
      return `<mj-text>${writeContent(block.text)}</mj-text>`;
    case 'button':
      return `<mj-button${attrs({ href: block.href })}>${writeContent(block.label.replace(/\r?\n/g, ' '))}</mj-button>`;
    case 'image':
      return `<mj-image${attrs({ src: block.src, alt: block.alt })} />`;
    case 'divider':
      return `<mj-divider${attrs(DIVIDER_ATTRS)} />`;
  }
}

/** The MJML of `blocks`, followed by the footer. */
export function toMjml(blocks: readonly Block[]): string {
  const column = [...blocks.map(writeBlock), `<mj-text${attrs(FOOTER_ATTRS)}>${FOOTER_CONTENT}</mj-text>`];
  return [
    '<mjml>',
    `  <mj-body${attrs(BODY_ATTRS)}>`,
    `    <mj-section${attrs(SECTION_ATTRS)}>`,
    '      <mj-column>',
    ...column.map((line) => `        ${line}`),
    '      </mj-column>',
    '    </mj-section>',
    '  </mj-body>',
    '</mjml>',
  ].join('\n');
}

// ---- reading -------------------------------------------------------------------------------------------

type Element = { name: string; attrs: Record<string, string>; content: string | null };

/** Attributes written `name="value"` (a template value may hold quotes of the other kind). */
function parseAttrs(text: string): Record<string, string> | null {
  const out: Record<string, string> = {};
  let rest = text.trim();
  while (rest) {
    const m = /^([a-z][a-z0-9-]*)\s*=\s*"((?:\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}|[^"])*)"\s*/i.exec(rest);
    if (!m || m[1]! in out) return null;
    out[m[1]!.toLowerCase()] = m[2]!;
    rest = rest.slice(m[0].length);
  }
  return out;
}

function readAttribute(value: string): string | null {
  const out = pieces(value).map((piece, i) => (i % 2 === 1 ? piece.replace(/&quot;/g, '"') : decode(piece)));
  return out.includes(null) ? null : out.join('');
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

/** Plain text with the entities this module writes decoded; null for any other entity or a tag. */
function decode(plain: string): string | null {
  if (/</.test(plain)) return null;
  let bad = false;
  const text = plain.replace(/&[#a-z0-9]*;?/gi, (entity) => {
    const c = ENTITIES[entity.toLowerCase()];
    if (c === undefined) bad = true;
    return c ?? '';
  });
  return bad ? null : text;
}

/** Content as the editor shows it (`<strong>` as `**`, `<br />` as a line break); null for other markup. */
export function readContent(content: string): string | null {
  const out: string[] = [];
  for (const [i, piece] of pieces(content).entries()) {
    if (i % 2 === 1) {
      out.push(piece);
      continue;
    }
    const marked = piece.replace(/<br\s*\/?>/gi, '\n').replace(/<\/?strong>/gi, '**');
    const text = decode(marked);
    if (text === null) return null;
    out.push(text);
  }
  return out.join('');
}

/** The elements of a column, in order; null if something else stands between them. */
function elements(inner: string): Element[] | null {
  const out: Element[] = [];
  let rest = inner.trim();
  while (rest) {
    const open = /^<(mj-[a-z]+)((?:\s+[a-z-]+\s*=\s*"(?:\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}|[^"])*")*)\s*(\/?)>/i.exec(
      rest,
    );
    if (!open) return null;
    const name = open[1]!.toLowerCase();
    const parsed = parseAttrs(open[2]!);
    if (!parsed) return null;
    rest = rest.slice(open[0].length);
    let content: string | null = null;
    if (open[3] !== '/') {
      const close = `</${name}>`;
      const end = rest.toLowerCase().indexOf(close);
      if (end < 0) return null;
      content = rest.slice(0, end);
      rest = rest.slice(end + close.length);
    }
    out.push({ name, attrs: parsed, content });
    rest = rest.trimStart();
  }
  return out;
}

function sameAttrs(actual: Record<string, string>, expected: Record<string, string>): boolean {
  const a = Object.keys(actual);
  return a.length === Object.keys(expected).length && a.every((k) => actual[k] === expected[k]);
}

function readBlock(el: Element): Block | null {
  const content = el.content === null ? null : readContent(el.content);
  switch (el.name) {
    case 'mj-text':
      if (content === null) return null;
      if (sameAttrs(el.attrs, HEADING_ATTRS)) return content.includes('\n') ? null : { kind: 'heading', text: content };
      return sameAttrs(el.attrs, {}) ? { kind: 'text', text: content } : null;
    case 'mj-button': {
      const href = el.attrs.href === undefined ? null : readAttribute(el.attrs.href);
      if (content === null || href === null || Object.keys(el.attrs).length !== 1 || content.includes('\n'))
        return null;
      return { kind: 'button', label: content, href };
    }
    case 'mj-image': {
      const src = readAttribute(el.attrs.src ?? '');
      const alt = readAttribute(el.attrs.alt ?? '');
      const known = Object.keys(el.attrs).every((k) => k === 'src' || k === 'alt');
      if (!known || src === null || alt === null || (el.content ?? '').trim()) return null;
      return { kind: 'image', src, alt };
    }
    case 'mj-divider':
      return sameAttrs(el.attrs, DIVIDER_ATTRS) && !(el.content ?? '').trim() ? { kind: 'divider' } : null;
    default:
      return null;
  }
}

const FRAME = new RegExp(
  '^\\s*<mjml>\\s*<mj-body([^>]*)>\\s*<mj-section([^>]*)>\\s*<mj-column>([\\s\\S]*)</mj-column>\\s*' +
    '</mj-section>\\s*</mj-body>\\s*</mjml>\\s*$',
  'i',
);

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

/**
 * The blocks of an e-mail written in the editor's shape (one white section, one column, the footer last);
 * null when the MJML holds anything the blocks cannot show, so that nothing is lost by editing it as blocks.
 */
export function fromMjml(source: string): Block[] | null {
  const frame = FRAME.exec(source);
  if (!frame) return null;
  const body = parseAttrs(frame[1]!);
  const section = parseAttrs(frame[2]!);
  if (!body || !section || !sameAttrs(body, BODY_ATTRS) || !sameAttrs(section, SECTION_ATTRS)) return null;
  const els = elements(frame[3]!);
  const footer = els?.at(-1);
  if (!els || !footer) return null;
  if (footer.name !== 'mj-text' || !sameAttrs(footer.attrs, FOOTER_ATTRS)) return null;
  if (squash(footer.content ?? '') !== squash(FOOTER_CONTENT)) return null;
  const blocks: Block[] = [];
  for (const el of els.slice(0, -1)) {
    const block = readBlock(el);
    if (!block) return null;
    blocks.push(block);
  }
  return blocks;
}

/**
 * `source` with the unsubscribe link added: MJML gets a footer line before its column closes (so it stays
 * MJML), anything else a line at the end.
 */
export function withMjmlUnsubscribe(source: string): string | null {
  if (!isMjml(source)) return null;
  const at = source.toLowerCase().lastIndexOf('</mj-column>');
  if (at < 0) return null;
  const line = `  <mj-text${attrs(FOOTER_ATTRS)}><a href="{{ unsubscribe_url }}">Unsubscribe or change preferences</a></mj-text>\n      `;
  return source.slice(0, at) + line + source.slice(at);
}

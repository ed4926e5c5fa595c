// The blocks of an e-mail as a list of small forms: each block edited in place, moved up or down, removed;
// new blocks added at the end, above the footer, which is always there and cannot be removed.
import { Button } from '@/components/Button';
import { TextAreaField, TextField } from '@/components/Field';

import type { Block, BlockKind } from './mjml';

/** A block with a key that survives reordering. */
export type Item = { id: number; block: Block };

/** Where a variable goes when one is inserted: the field that last had the focus. */
export type FieldFocus = { id: number; field: string; el: HTMLInputElement | HTMLTextAreaElement };

const NAMES: Record<BlockKind, string> = {
  heading: 'Heading',
  text: 'Text',
  button: 'Button',
  image: 'Image',
  divider: 'Divider',
};

export const ADDABLE: BlockKind[] = ['heading', 'text', 'button', 'image', 'divider'];

function Fields({
  item,
  onChange,
  onFocusField,
}: {
  item: Item;
  onChange: (block: Block) => void;
  onFocusField: (f: FieldFocus) => void;
}) {
  const { block, id } = item;
  const focus = (field: string) => (e: { currentTarget: HTMLInputElement | HTMLTextAreaElement }) =>
    onFocusField({ id, field, el: e.currentTarget });
  switch (block.kind) {
    case 'heading':
      return (
        <TextField
          label="Heading"
          value={block.text}
          onFocus={focus('text')}
          onChange={(e) => onChange({ ...block, text: e.target.value })}
        />
      );
    case 'text':
      return (
        <TextAreaField
          label="Text"
          hint="A new line is a line break; **two asterisks** make text bold."
          rows={3}
          value={block.text}
          onFocus={focus('text')}
          onChange={(e) => onChange({ ...block, text: e.target.value })}
        />
      );
    case 'button':
      return (
        <div className="grid gap-3 sm:grid-cols-2">
          <TextField
            label="Button label"
            value={block.label}
            onFocus={focus('label')}
            onChange={(e) => onChange({ ...block, label: e.target.value })}
          />
          <TextField
            label="Button link"
            type="url"
            placeholder="https://brand.example/sale"
            value={block.href}
            onFocus={focus('href')}
            onChange={(e) => onChange({ ...block, href: e.target.value })}
          />
        </div>
      );
    case 'image':
      return (
        <div className="grid gap-3 sm:grid-cols-2">
          <TextField
            label="Image address"
            type="url"
            placeholder="https://brand.example/banner.png"
            value={block.src}
            onFocus={focus('src')}
            onChange={(e) => onChange({ ...block, src: e.target.value })}
          />
          <TextField
            label="Alt text"
            hint="What the image shows, for screen readers and mail that blocks images."
            value={block.alt}
            onFocus={focus('alt')}
            onChange={(e) => onChange({ ...block, alt: e.target.value })}
          />
        </div>
      );
    case 'divider':
      return <p className="text-sm text-slate-600">A thin line across the e-mail.</p>;
  }
}

export function BlockEditor({
  items,
  onChange,
  onAdd,
  onFocusField,
}: {
  items: Item[];
  onChange: (items: Item[]) => void;
  onAdd: (kind: BlockKind) => void;
  onFocusField: (f: FieldFocus) => void;
}) {
  const move = (from: number, to: number) => {
    const next = [...items];
    const [moved] = next.splice(from, 1);
    next.splice(to, 0, moved!);
    onChange(next);
  };
  return (
    <div className="space-y-3" data-testid="block-editor">
      <ol className="space-y-3" aria-label="Blocks of the e-mail">
        {items.map((item, i) => {
          const name = `${NAMES[item.block.kind]} (block ${i + 1})`;
          return (
            <li key={item.id} data-block={item.block.kind} className="rounded-lg border border-slate-200 bg-white p-3">
              <fieldset>
                <legend className="sr-only">{name}</legend>
                <div className="mb-2 flex flex-wrap items-center justify-between gap-2">
                  <span aria-hidden="true" className="text-xs font-semibold tracking-wide text-slate-600 uppercase">
                    {name}
                  </span>
                  <div className="flex gap-1">
                    <Button
                      size="sm"
                      variant="ghost"
                      aria-label={`Move ${name} up`}
                      disabled={i === 0}
                      onClick={() => move(i, i - 1)}
                    >
                      ↑
                    </Button>
                    <Button
                      size="sm"
                      variant="ghost"
                      aria-label={`Move ${name} down`}
                      disabled={i === items.length - 1}
                      onClick={() => move(i, i + 1)}
                    >
                      ↓
                    </Button>
                    <Button
                      size="sm"
                      variant="ghost"
                      aria-label={`Remove ${name}`}
                      onClick={() => onChange(items.filter((other) => other.id !== item.id))}
                    >
                      Remove
                    </Button>
                  </div>
                </div>
                <Fields
                  item={item}
                  onFocusField={onFocusField}
                  onChange={(block) =>
                    onChange(items.map((other) => (other.id === item.id ? { ...item, block } : other)))
                  }
                />
              </fieldset>
            </li>
          );
        })}
        <li className="rounded-lg border border-dashed border-slate-300 bg-slate-50 p-3" data-block="footer">
          <p className="text-xs font-semibold tracking-wide text-slate-600 uppercase">Footer (always included)</p>
          <p className="mt-1 text-sm text-slate-700">
            Your postal address and each recipient’s own unsubscribe and preferences link.
          </p>
        </li>
      </ol>
      <div className="flex flex-wrap items-center gap-2" role="group" aria-label="Add a block">
        {ADDABLE.map((kind) => (
          <Button key={kind} size="sm" variant="secondary" onClick={() => onAdd(kind)}>
            + {NAMES[kind]}
          </Button>
        ))}
      </div>
    </div>
  );
}

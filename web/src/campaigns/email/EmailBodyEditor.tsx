// An e-mail body, edited as blocks or as source (a "Blocks | Source" switch). The template string stays the
// one truth: blocks are read from it and every block edit writes it again as MJML (./mjml). A body the blocks
// cannot show (plain HTML, MJML edited by hand) opens in the source view and says so; the server's errors,
// with their line and column, are shown under the source (and under the blocks).
import { useRef, useState, type RefObject } from 'react';

import { TextAreaField } from '@/components/Field';
import { cx } from '@/lib/cx';

import { insertAt } from '../template';
import { BlockEditor, type FieldFocus, type Item } from './BlockEditor';
import { emptyBlock, fromMjml, toMjml, type Block, type BlockKind } from './mjml';

type View = 'blocks' | 'source';

let nextId = 1;
const withIds = (blocks: Block[]): Item[] => blocks.map((block) => ({ id: nextId++, block }));

/** The blocks of `template`: none for an empty body, null when the blocks cannot show it. */
function read(template: string): Item[] | null {
  if (template.trim() === '') return [];
  const blocks = fromMjml(template);
  return blocks ? withIds(blocks) : null;
}

function ViewSwitch({ view, onView, blocksOk }: { view: View; onView: (v: View) => void; blocksOk: boolean }) {
  const option = (value: View, label: string, disabled = false) => (
    <button
      type="button"
      aria-pressed={view === value}
      disabled={disabled}
      onClick={() => onView(value)}
      className={cx(
        'rounded px-3 py-1 text-sm font-medium focus-visible:outline-2 focus-visible:outline-indigo-600',
        view === value ? 'bg-white text-slate-900 shadow-sm' : 'text-slate-700 hover:text-slate-900',
        disabled && 'cursor-not-allowed text-slate-500',
      )}
    >
      {label}
    </button>
  );
  return (
    <div role="group" aria-label="Edit the e-mail as" className="inline-flex rounded-md bg-slate-100 p-0.5">
      {option('blocks', 'Blocks', !blocksOk)}
      {option('source', 'Source')}
    </div>
  );
}

export function EmailBodyEditor({
  template,
  onTemplateChange,
  label,
  hint,
  rows,
  errors,
  area,
  insertRef,
}: {
  template: string;
  onTemplateChange: (t: string) => void;
  /** The source view's label ("Message", or "Body" for a saved template). */
  label: string;
  hint: string;
  rows: number;
  errors: string[];
  area: RefObject<HTMLTextAreaElement | null>;
  /** Set to a function that inserts a variable where the marketer was typing. */
  insertRef: RefObject<((token: string) => void) | null>;
}) {
  // Blocks as last read or written, with the template they stand for: re-read when the template changes
  // from outside (a template picked, a suggestion used), kept (with their keys) while they write it.
  const [synced, setSynced] = useState(() => ({ template, items: read(template) }));
  if (synced.template !== template) setSynced({ template, items: read(template) });
  const items = synced.template === template ? synced.items : read(template);
  const [chosen, setChosen] = useState<View>(() => (items ? 'blocks' : 'source'));
  const view: View = items ? chosen : 'source';
  const focused = useRef<FieldFocus | null>(null);

  const write = (next: Item[]) => {
    const t = toMjml(next.map((i) => i.block));
    setSynced({ template: t, items: next });
    onTemplateChange(t);
  };
  const add = (kind: BlockKind) => write([...(items ?? []), ...withIds([emptyBlock(kind)])]);

  insertRef.current = (token: string) => {
    if (view === 'source' || !items) {
      const el = area.current;
      const next = insertAt(template, token, el?.selectionStart ?? null, el?.selectionEnd ?? null);
      onTemplateChange(next.text);
      requestAnimationFrame(() => {
        el?.focus();
        el?.setSelectionRange(next.caret, next.caret);
      });
      return;
    }
    const at = focused.current;
    const target = at && items.find((i) => i.id === at.id);
    if (!at || !target || !at.el.isConnected) {
      write([...items, ...withIds([{ kind: 'text', text: token }])]);
      return;
    }
    const block = target.block as Record<string, unknown>;
    const value = String(block[at.field] ?? '');
    const next = insertAt(value, token, at.el.selectionStart, at.el.selectionEnd);
    write(items.map((i) => (i.id === at.id ? { ...i, block: { ...i.block, [at.field]: next.text } as Block } : i)));
    const el = at.el;
    requestAnimationFrame(() => {
      el.focus();
      el.setSelectionRange(next.caret, next.caret);
    });
  };

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <span className="text-sm font-medium text-slate-800">E-mail body</span>
        <ViewSwitch view={view} onView={setChosen} blocksOk={items !== null} />
      </div>
      {!items && template.trim() !== '' && (
        <p className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900" data-testid="source-note">
          Edited by hand: showing the source. The blocks can show only e-mails written with them.
        </p>
      )}
      {view === 'blocks' && items ? (
        <>
          <BlockEditor
            items={items}
            onChange={write}
            onAdd={add}
            onFocusField={(f) => {
              focused.current = f;
            }}
          />
          {errors.length > 0 && (
            <ul className="space-y-1 rounded-md bg-red-50 px-3 py-2 text-xs font-medium text-red-700" role="alert">
              {errors.map((e) => (
                <li key={e}>{e}</li>
              ))}
            </ul>
          )}
        </>
      ) : (
        <TextAreaField
          ref={area}
          label={label}
          hint={hint}
          rows={Math.max(rows, 12)}
          value={template}
          onChange={(e) => onTemplateChange(e.target.value)}
          errors={errors.length ? errors : undefined}
          className="font-mono"
          spellCheck={false}
        />
      )}
    </div>
  );
}

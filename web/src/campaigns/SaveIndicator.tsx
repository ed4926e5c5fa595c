import { errorMessage } from '@/api/problem';
import { cx } from '@/lib/cx';

import type { SaveState } from './useAutosave';

/** "Saved", "Saving…" or "Couldn't save: <reason>", read out politely as it changes. */
export function SaveIndicator({
  state,
  dirty,
  announce = true,
}: {
  state: SaveState;
  dirty: boolean;
  /** False for a second copy on the page (one live region is enough). */
  announce?: boolean;
}) {
  const text =
    state.kind === 'error'
      ? `Couldn't save: ${errorMessage(state.error)}`
      : state.kind === 'saving' || dirty
        ? 'Saving…'
        : state.kind === 'saved'
          ? 'Saved'
          : '';
  return (
    <p
      role={announce ? 'status' : undefined}
      data-testid={announce ? 'save-state' : undefined}
      className={cx('min-h-5 text-sm', state.kind === 'error' ? 'font-medium text-red-700' : 'text-slate-600')}
    >
      {text}
    </p>
  );
}

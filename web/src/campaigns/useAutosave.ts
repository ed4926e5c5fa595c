// Saving as you type: the fields that changed since the last save go to `save` once the value has been still
// for `delayMs`; one save at a time (a change made during a save waits for it, so a draft is created once and
// then patched); a pending save is flushed when the component unmounts (a route change) and when the page is
// being left, which also asks the browser to warn while something is unsaved.
import { useCallback, useEffect, useRef, useState } from 'react';

export type SaveState = { kind: 'idle' } | { kind: 'saving' } | { kind: 'saved' } | { kind: 'error'; error: unknown };

/** The keys of `next` whose values differ from `prev` (compared as JSON). */
export function changedFields<T extends Record<string, unknown>>(prev: T, next: T): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(next) as (keyof T)[]) {
    if (JSON.stringify(prev[key]) !== JSON.stringify(next[key])) out[key] = next[key];
  }
  return out;
}

export interface Autosave {
  state: SaveState;
  /** Changes not yet saved (waiting for the delay or for a save in flight). */
  dirty: boolean;
  /** Saves now whatever is pending; resolves once saved (rejects with the save's error). */
  flush: () => Promise<void>;
}

export function useAutosave<T extends Record<string, unknown>>({
  value,
  saved: initial,
  save,
  delayMs = 800,
  enabled = true,
}: {
  value: T;
  /** What the server holds now (the starting point of the comparison). */
  saved: T;
  /** Writes the changed fields; `all` is the whole value. Throws to report the failure. */
  save: (changes: Partial<T>, all: T) => Promise<void>;
  delayMs?: number;
  enabled?: boolean;
}): Autosave {
  const [state, setState] = useState<SaveState>({ kind: 'idle' });
  const latest = useRef(value);
  const lastSaved = useRef(initial);
  // The same, as state, so that a finished save re-renders with `dirty` false.
  const [savedValue, setSavedValue] = useState(initial);
  const saveRef = useRef(save);
  const chain = useRef<Promise<void>>(Promise.resolve());
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const mounted = useRef(true);
  useEffect(() => {
    latest.current = value;
    saveRef.current = save;
  });

  const dirty = enabled && Object.keys(changedFields(savedValue, value)).length > 0;

  const run = useCallback((): Promise<void> => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    const next = chain.current
      .catch(() => {})
      .then(async () => {
        const all = latest.current;
        const changes = changedFields(lastSaved.current, all);
        if (Object.keys(changes).length === 0) return;
        if (mounted.current) setState({ kind: 'saving' });
        try {
          await saveRef.current(changes, all);
          lastSaved.current = all;
          if (mounted.current) {
            setSavedValue(all);
            setState({ kind: 'saved' });
          }
        } catch (error) {
          if (mounted.current) setState({ kind: 'error', error });
          throw error;
        }
      });
    chain.current = next;
    return next;
  }, []);

  useEffect(() => {
    if (!dirty) return;
    timer.current = setTimeout(() => void run().catch(() => {}), delayMs);
    return () => {
      if (timer.current) clearTimeout(timer.current);
      timer.current = null;
    };
  }, [value, dirty, delayMs, run]);

  // Leaving the route: save what is pending rather than drop it.
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
      if (enabled && Object.keys(changedFields(lastSaved.current, latest.current)).length > 0) {
        void run().catch(() => {});
      }
    };
  }, [enabled, run]);

  // Leaving the page: start the save and ask the browser to hold on while it is not done.
  useEffect(() => {
    if (!dirty) return;
    const onUnload = (event: BeforeUnloadEvent) => {
      void run().catch(() => {});
      event.preventDefault();
    };
    window.addEventListener('beforeunload', onUnload);
    return () => window.removeEventListener('beforeunload', onUnload);
  }, [dirty, run]);

  return { state, dirty, flush: run };
}

// @vitest-environment jsdom
import { act, renderHook } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { changedFields, useAutosave } from './useAutosave';

type Draft = { name: string; template: string };
const blank: Draft = { name: '', template: '' };

function setup(save: (changes: Partial<Draft>, all: Draft) => Promise<void>) {
  return renderHook(({ value }: { value: Draft }) => useAutosave({ value, saved: blank, save, delayMs: 800 }), {
    initialProps: { value: blank },
  });
}

describe('autosave', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('names only the changed fields', () => {
    expect(changedFields({ a: 1, b: { x: [1] } }, { a: 1, b: { x: [2] } })).toEqual({ b: { x: [2] } });
    expect(changedFields({ a: 1 }, { a: 1 })).toEqual({});
  });

  it('saves once the typing has been still for the delay, with only what changed', async () => {
    const save = vi.fn(() => Promise.resolve());
    const hook = setup(save);
    expect(hook.result.current.dirty).toBe(false);
    hook.rerender({ value: { name: 'S', template: '' } });
    await act(() => vi.advanceTimersByTimeAsync(500));
    hook.rerender({ value: { name: 'Sp', template: '' } });
    await act(() => vi.advanceTimersByTimeAsync(500));
    hook.rerender({ value: { name: 'Spring', template: '' } });
    expect(hook.result.current.dirty).toBe(true);
    await act(() => vi.advanceTimersByTimeAsync(799));
    expect(save).not.toHaveBeenCalled();
    await act(() => vi.advanceTimersByTimeAsync(1));
    expect(save).toHaveBeenCalledTimes(1);
    expect(save).toHaveBeenCalledWith({ name: 'Spring' }, { name: 'Spring', template: '' });
    expect(hook.result.current.state).toEqual({ kind: 'saved' });
    expect(hook.result.current.dirty).toBe(false);

    hook.rerender({ value: { name: 'Spring', template: 'Hi' } });
    await act(() => vi.advanceTimersByTimeAsync(800));
    expect(save).toHaveBeenLastCalledWith({ template: 'Hi' }, { name: 'Spring', template: 'Hi' });
  });

  it('saves what is pending when the component goes away', async () => {
    const save = vi.fn(() => Promise.resolve());
    const hook = setup(save);
    hook.rerender({ value: { name: 'Leaving', template: '' } });
    await act(() => vi.advanceTimersByTimeAsync(100));
    hook.unmount();
    await vi.advanceTimersByTimeAsync(0);
    expect(save).toHaveBeenCalledWith({ name: 'Leaving' }, { name: 'Leaving', template: '' });
    await vi.advanceTimersByTimeAsync(2000);
    expect(save).toHaveBeenCalledTimes(1);
  });

  it('reports a failed save and tries again with the next change', async () => {
    const save = vi
      .fn<(c: Partial<Draft>, all: Draft) => Promise<void>>()
      .mockRejectedValueOnce(new Error('offline'))
      .mockResolvedValue(undefined);
    const hook = setup(save);
    hook.rerender({ value: { name: 'A', template: '' } });
    await act(() => vi.advanceTimersByTimeAsync(800));
    expect(hook.result.current.state).toEqual({ kind: 'error', error: new Error('offline') });
    expect(hook.result.current.dirty).toBe(true);
    hook.rerender({ value: { name: 'AB', template: '' } });
    await act(() => vi.advanceTimersByTimeAsync(800));
    expect(save).toHaveBeenLastCalledWith({ name: 'AB' }, { name: 'AB', template: '' });
    expect(hook.result.current.state).toEqual({ kind: 'saved' });
  });

  it('runs one save at a time: a change during a save waits for it', async () => {
    let release: () => void = () => {};
    const save = vi
      .fn<(c: Partial<Draft>, all: Draft) => Promise<void>>()
      .mockImplementationOnce(() => new Promise<void>((resolve) => (release = resolve)))
      .mockResolvedValue(undefined);
    const hook = setup(save);
    hook.rerender({ value: { name: 'A', template: '' } });
    await act(() => vi.advanceTimersByTimeAsync(800));
    expect(hook.result.current.state).toEqual({ kind: 'saving' });
    hook.rerender({ value: { name: 'A', template: 'x' } });
    let flushed = false;
    void hook.result.current.flush().then(() => (flushed = true));
    await act(() => vi.advanceTimersByTimeAsync(0));
    expect(save).toHaveBeenCalledTimes(1);
    await act(async () => release());
    await act(() => vi.advanceTimersByTimeAsync(0));
    expect(save).toHaveBeenCalledTimes(2);
    expect(save).toHaveBeenLastCalledWith({ template: 'x' }, { name: 'A', template: 'x' });
    expect(flushed).toBe(true);
  });
});

// @vitest-environment jsdom
// The live count asks once the rule has settled, and a newer rule cancels the request still in flight.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import type { RuleGroupType } from 'react-querybuilder';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { catalogue } from '@/test/catalogue';

const calls = vi.hoisted(() => [] as Array<{ body: unknown; signal: AbortSignal }>);
const pending = vi.hoisted(() => ({ hang: false }));

vi.mock('@/api/client', () => ({
  api: {
    POST: (_path: string, init: { body: unknown; signal: AbortSignal }) => {
      calls.push({ body: init.body, signal: init.signal });
      const answer = {
        data: { count: 7, sample: [], source: 'index', evaluated_at: '' },
        response: new Response(null, { status: 200 }),
      };
      if (!pending.hang) return Promise.resolve(answer);
      return new Promise((_, reject) =>
        init.signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))),
      );
    },
  },
  unwrap: async <T,>(call: Promise<{ data?: T }>) => (await call).data as T,
}));

const { useAudiencePreview, PREVIEW_DEBOUNCE_MS } = await import('./usePreview');

function wrapper({ children }: { children: ReactNode }) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return <QueryClientProvider client={client}>{children}</QueryClientProvider>;
}

const rule = (visits: string): RuleGroupType => ({
  combinator: 'and',
  rules: [{ field: 'visits', operator: '<', value: visits }],
});

afterEach(() => {
  cleanup();
  calls.length = 0;
  pending.hang = false;
});

describe('useAudiencePreview', () => {
  it('asks at once for the first rule, then once per settled change, not per keystroke', async () => {
    const { result, rerender } = renderHook(({ q }) => useAudiencePreview(q, catalogue), {
      wrapper,
      initialProps: { q: rule('1') },
    });
    await waitFor(() => expect(result.current.preview.data?.count).toBe(7), { timeout: 2000 });
    expect(calls).toHaveLength(1);
    rerender({ q: rule('12') });
    rerender({ q: rule('123') });
    expect(result.current.updating).toBe(true);
    await waitFor(() => expect(calls).toHaveLength(2), { timeout: 2000 });
    await waitFor(() => expect(result.current.updating).toBe(false), { timeout: 2000 });
    expect(calls).toHaveLength(2);
    expect(calls[1]!.body).toEqual({
      rule: { combinator: 'and', not: false, rules: [{ field: 'visits', operator: '<', value: '123' }] },
      sample_size: 5,
    });
  });

  it('cancels the request in flight when the rule changes', async () => {
    pending.hang = true;
    const { rerender } = renderHook(({ q }) => useAudiencePreview(q, catalogue), {
      wrapper,
      initialProps: { q: rule('5') },
    });
    await waitFor(() => expect(calls).toHaveLength(1), { timeout: 2000 });
    expect(calls[0]!.signal.aborted).toBe(false);
    rerender({ q: rule('6') });
    await waitFor(() => expect(calls).toHaveLength(2), { timeout: 2000 });
    expect(calls[0]!.signal.aborted).toBe(true);
  });

  it('does not ask while a condition lacks its value', async () => {
    const { result } = renderHook(() => useAudiencePreview(rule(''), catalogue), { wrapper });
    await act(() => new Promise((r) => setTimeout(r, PREVIEW_DEBOUNCE_MS + 100)));
    expect(calls).toHaveLength(0);
    expect([...result.current.incomplete]).toEqual(['0']);
  });
});

// @vitest-environment jsdom
// The preview's reach is asked only for a rule whose count has arrived and then stayed unchanged for
// REACH_DELAY_MS, never per keystroke; a newer rule cancels the request in flight; a channel picked asks at once.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import type { RuleGroupType } from 'react-querybuilder';
import { afterEach, describe, expect, it, vi } from 'vitest';

import type { SendChannel } from '@/campaigns/shared';
import { catalogue } from '@/test/catalogue';

type Call = { path: string; body: { rule?: unknown; channel?: string }; signal: AbortSignal; at: number };
const calls = vi.hoisted(() => [] as Call[]);
const control = vi.hoisted(() => ({ hangReach: false, failReach: false }));

const REACH = {
  matched: 7,
  reachable: 5,
  no_address: 1,
  channels: [{ channel: 'sms', reachable: 5, skipped: { unsubscribed: 1 } }],
};

vi.mock('@/api/client', () => ({
  api: {
    POST: (path: string, init: { body: Call['body']; signal: AbortSignal }) => {
      calls.push({ path, body: init.body, signal: init.signal, at: Date.now() });
      const ok = (data: unknown) => ({ data, response: new Response(null, { status: 200 }) });
      if (path === '/api/v1/segments/preview')
        return Promise.resolve(ok({ count: 7, sample: [], source: 'index', evaluated_at: '' }));
      if (control.failReach)
        return Promise.resolve({
          error: { title: 'Unavailable', detail: 'The store is busy; try again.' },
          response: new Response(null, { status: 503 }),
        });
      if (!control.hangReach) return Promise.resolve(ok(REACH));
      return new Promise((_, reject) =>
        init.signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))),
      );
    },
  },
  unwrap: async <T,>(call: Promise<{ data?: T; error?: unknown; response: Response }>) => {
    const { data, error, response } = await call;
    if (!response.ok) {
      const { toProblem } = await import('@/api/problem');
      throw toProblem(response.status, error);
    }
    return data as T;
  },
}));

const { useAudiencePreview } = await import('./usePreview');
const { useAudienceReach, REACH_DELAY_MS } = await import('./useReach');

function wrapper({ children }: { children: ReactNode }) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return <QueryClientProvider client={client}>{children}</QueryClientProvider>;
}

const rule = (visits: string): RuleGroupType => ({
  combinator: 'and',
  rules: [{ field: 'visits', operator: '<', value: visits }],
});

function useBoth({ q, channel }: { q: RuleGroupType; channel: SendChannel }) {
  const audience = useAudiencePreview(q, catalogue);
  return { audience, reach: useAudienceReach(audience, channel) };
}

const reachCalls = () => calls.filter((c) => c.path === '/api/v1/campaigns/reach');
const previewCalls = () => calls.filter((c) => c.path === '/api/v1/segments/preview');
const sleep = (ms: number) => act(() => new Promise((r) => setTimeout(r, ms)));

afterEach(() => {
  cleanup();
  calls.length = 0;
  control.hangReach = false;
  control.failReach = false;
});

describe('useAudienceReach', () => {
  it('asks once, REACH_DELAY_MS after the count arrived, with the rule and the channel', async () => {
    const { result } = renderHook(useBoth, { wrapper, initialProps: { q: rule('3'), channel: 'preferred' } });
    await waitFor(() => expect(result.current.audience.preview.data?.count).toBe(7), { timeout: 2000 });
    const counted = Date.now();
    expect(result.current.reach.state).toBe('checking');
    expect(reachCalls()).toHaveLength(0);
    await waitFor(() => expect(result.current.reach.state).toBe('ready'), { timeout: REACH_DELAY_MS + 1000 });
    expect(reachCalls()).toHaveLength(1);
    expect(reachCalls()[0]!.at - counted).toBeGreaterThanOrEqual(REACH_DELAY_MS - 50);
    expect(reachCalls()[0]!.body).toEqual({
      rule: { combinator: 'and', not: false, rules: [{ field: 'visits', operator: '<', value: '3' }] },
      channel: 'preferred',
    });
    expect(result.current.reach.data).toEqual({ channel: 'preferred', reach: REACH });
  }, 10_000);

  it('does not ask for a rule that keeps changing, and asks at once for another channel', async () => {
    const { result, rerender } = renderHook(useBoth, {
      wrapper,
      initialProps: { q: rule('1'), channel: 'preferred' as SendChannel },
    });
    // Typing: each change gets its count, but none stays long enough for the reach.
    for (const v of ['12', '123', '1234']) {
      await sleep(REACH_DELAY_MS / 2);
      rerender({ q: rule(v), channel: 'preferred' });
    }
    expect(previewCalls().length).toBeGreaterThan(1);
    expect(reachCalls()).toHaveLength(0);
    await waitFor(() => expect(result.current.reach.state).toBe('ready'), { timeout: REACH_DELAY_MS + 2000 });
    expect(reachCalls().map((c) => (c.body.rule as { rules: Array<{ value: string }> }).rules[0]!.value)).toEqual([
      '1234',
    ]);
    rerender({ q: rule('1234'), channel: 'email' });
    await sleep(50);
    expect(reachCalls().map((c) => c.body.channel)).toEqual(['preferred', 'email']);
    await waitFor(() => expect(result.current.reach.state).toBe('ready'));
    expect(result.current.reach.data?.channel).toBe('email');
  }, 15_000);

  it('cancels the request in flight when the rule changes', async () => {
    control.hangReach = true;
    const { rerender } = renderHook(useBoth, { wrapper, initialProps: { q: rule('5'), channel: 'sms' } });
    await waitFor(() => expect(reachCalls()).toHaveLength(1), { timeout: REACH_DELAY_MS + 2000 });
    expect(reachCalls()[0]!.signal.aborted).toBe(false);
    rerender({ q: rule('6'), channel: 'sms' });
    await waitFor(() => expect(reachCalls()[0]!.signal.aborted).toBe(true));
  }, 10_000);

  it('shows nothing while a condition lacks its value', async () => {
    const { result } = renderHook(useBoth, { wrapper, initialProps: { q: rule(''), channel: 'preferred' } });
    await sleep(REACH_DELAY_MS + 300);
    expect(calls).toHaveLength(0);
    expect(result.current.reach.state).toBe('off');
    expect(result.current.reach.data).toBeNull();
  }, 10_000);

  it("says the server's problem", async () => {
    control.failReach = true;
    const { result } = renderHook(useBoth, { wrapper, initialProps: { q: rule('2'), channel: 'whatsapp' } });
    await waitFor(() => expect(result.current.reach.state).toBe('error'), { timeout: REACH_DELAY_MS + 2000 });
    expect((result.current.reach.error as Error).message).toBe('The store is busy; try again.');
  }, 10_000);
});

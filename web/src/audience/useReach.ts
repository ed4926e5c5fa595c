// The consent reach of the rule being built: per channel, how many the audience would reach and why the rest
// would be skipped (`POST /api/v1/campaigns/reach`). The answer is exact and reads every matched customer, so
// it is asked only for a rule whose count has arrived and that then stays unchanged for REACH_DELAY_MS; a
// newer rule or channel cancels the request in flight (TanStack Query aborts an unobserved query's signal).
import { keepPreviousData, useQuery } from '@tanstack/react-query';

import { api, unwrap } from '@/api/client';
import type { Reach } from '@/campaigns/reach';
import type { SendChannel } from '@/campaigns/shared';
import { useDebounced } from '@/lib/useDebounced';

import type { ServerRule } from './fields';
import type { AudiencePreview } from './usePreview';

export const REACH_DELAY_MS = 1_200;

/**
 * What the Reach section shows: `off` nothing (the rule is incomplete or refused, and the count says so),
 * `checking` "Checking reach…" (the rule is settling or the answer is on its way), `error`, or `ready`.
 */
export type ReachState = 'off' | 'checking' | 'error' | 'ready';

export interface AudienceReach {
  state: ReachState;
  /** The last answer and the channel it is for; while `checking`, the previous rule's (shown dimmed). */
  data: { channel: SendChannel; reach: Reach } | null;
  error: unknown;
  retry: () => void;
}

export function useAudienceReach(audience: AudiencePreview, channel: SendChannel): AudienceReach {
  // The rule whose count is on screen, once it has stayed so for the delay.
  const counted = audience.answered ? audience.ruleKey : null;
  const settled = useDebounced(counted, REACH_DELAY_MS);
  const ready = counted !== null && settled === counted;
  const reach = useQuery({
    queryKey: ['audience-reach', ready ? counted : null, channel] as const,
    queryFn: async ({ queryKey: [, rule, ch], signal }) => ({
      channel: ch,
      reach: await unwrap(
        api.POST('/api/v1/campaigns/reach', { body: { rule: JSON.parse(rule!) as ServerRule, channel: ch }, signal }),
      ),
    }),
    enabled: ready,
    placeholderData: keepPreviousData,
    retry: false,
    staleTime: 30_000,
    refetchOnWindowFocus: false,
    refetchOnReconnect: false,
  });
  const off = audience.incomplete.size > 0 || audience.preview.isError;
  let state: ReachState;
  if (off) state = 'off';
  else if (!ready || reach.isFetching || reach.isPlaceholderData) state = 'checking';
  else if (reach.isError) state = 'error';
  else if (reach.data) state = 'ready';
  else state = 'checking';
  return {
    state,
    data: off ? null : (reach.data ?? null),
    error: reach.error,
    retry: () => void reach.refetch(),
  };
}

// The exact audience of the rule being built: asked 300 ms after the last change, each new question
// cancelling the one before (TanStack Query aborts the unobserved request's signal).
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import type { RuleGroupType } from 'react-querybuilder';

import { api, unwrap } from '@/api/client';
import { ApiProblem } from '@/api/problem';
import { useDebounced } from '@/lib/useDebounced';

import { groupRuleErrors } from './errors';
import { incompletePaths, toServerRule, type SegmentFields, type ServerRule } from './fields';

export const PREVIEW_DEBOUNCE_MS = 300;

export function useAudiencePreview(query: RuleGroupType, catalogue: SegmentFields | undefined, sampleSize = 5) {
  const serverRule = useMemo(() => toServerRule(query), [query]);
  const ruleKey = JSON.stringify(serverRule);
  const settledKey = useDebounced(ruleKey, PREVIEW_DEBOUNCE_MS);
  const incomplete = useMemo(() => new Set(catalogue ? incompletePaths(query, catalogue) : []), [query, catalogue]);
  const preview = useQuery({
    queryKey: ['preview', settledKey, sampleSize],
    queryFn: ({ signal }) =>
      unwrap(
        api.POST('/api/v1/segments/preview', {
          body: { rule: JSON.parse(settledKey) as ServerRule, sample_size: sampleSize },
          signal,
        }),
      ),
    enabled: Boolean(catalogue) && incomplete.size === 0,
    placeholderData: keepPreviousData,
    retry: false,
    staleTime: 5_000,
  });
  const problem = preview.error instanceof ApiProblem ? preview.error : null;
  const errors = useMemo(() => groupRuleErrors(problem?.errors ?? []), [problem]);
  return {
    preview,
    serverRule,
    /** The rule as the server reads it, as JSON: the same text for the same rule. */
    ruleKey,
    incomplete,
    /** Server errors by condition path. */
    errors,
    /** The answer shown is for the rule as it is now. */
    current: settledKey === ruleKey && !preview.isFetching && !preview.isPlaceholderData,
    /**
     * The count shown is the server's answer for the rule as it is now (a background refresh of it does not
     * change that).
     */
    answered: incomplete.size === 0 && settledKey === ruleKey && preview.isSuccess && !preview.isPlaceholderData,
    /** Still typing, or the answer is on its way. */
    updating: settledKey !== ruleKey || preview.isFetching,
  };
}

export type AudiencePreview = ReturnType<typeof useAudiencePreview>;

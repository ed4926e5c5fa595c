// The audience builder with its live answer: the rule, the exact number of customers it selects, how many of
// them a campaign could reach on a channel, a sample of them, the rule in plain English, and "describe the
// audience in words".
import { useMutation } from '@tanstack/react-query';
import { useMemo, useState, type FormEvent } from 'react';
import type { RuleGroupType } from 'react-querybuilder';
import { Link } from 'react-router';

import { api, unwrap } from '@/api/client';
import { ApiProblem, errorMessage } from '@/api/problem';
import { Button } from '@/components/Button';
import { Card, CardBody, CardHeader } from '@/components/Card';
import { inputClass } from '@/components/Field';
import { SparkIcon } from '@/components/Icons';
import { Skeleton } from '@/components/States';
import { cx } from '@/lib/cx';
import { formatCount, formatMoney } from '@/lib/format';

import { AudienceReach } from './AudienceReach';
import type { BuilderContext } from './builderContext';
import { describeRule } from './describe';
import { groupRuleErrors } from './errors';
import { fromServerRule, type SegmentFields } from './fields';
import { RuleBuilder } from './RuleBuilder';
import type { AudiencePreview } from './usePreview';

function FromText({ onRule }: { onRule: (rule: RuleGroupType) => void }) {
  const [text, setText] = useState('');
  const ask = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/ai/segment-from-text', { body: { text } })),
    onSuccess: (answer) => onRule(fromServerRule(answer.rule)),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (text.trim()) ask.mutate();
  };
  return (
    <form onSubmit={submit} className="flex flex-col gap-2 sm:flex-row sm:items-start">
      <div className="flex-1">
        <label htmlFor="audience-text" className="sr-only">
          Describe the audience in words
        </label>
        <input
          id="audience-text"
          className={inputClass}
          placeholder="Describe the audience in words, e.g. “spent over 10,000 and inactive for 90 days”"
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
        {ask.isError && (
          <p role="alert" className="mt-1 text-xs font-medium text-red-700">
            {ask.error instanceof ApiProblem && ask.error.status === 404
              ? 'Describing audiences in words is not available on this server.'
              : errorMessage(ask.error)}
          </p>
        )}
        {ask.data?.notice && <p className="mt-1 text-xs text-slate-600">{ask.data.notice}</p>}
      </div>
      <Button type="submit" variant="secondary" busy={ask.isPending} disabled={!text.trim()}>
        <SparkIcon width={16} height={16} /> Build from text
      </Button>
    </form>
  );
}

function PreviewPanel({
  catalogue,
  query,
  audience,
  currency,
}: {
  catalogue: SegmentFields;
  query: RuleGroupType;
  audience: AudiencePreview;
  currency?: string;
}) {
  const { preview, incomplete, updating } = audience;
  const english = useMemo(() => describeRule(query, catalogue, currency), [query, catalogue, currency]);
  const data = preview.data;
  const invalid = preview.error instanceof ApiProblem && preview.error.status === 422;
  return (
    <Card className="lg:sticky lg:top-6">
      <CardHeader title="Audience" description="Exactly who a campaign launched now would reach." />
      <CardBody className="space-y-4">
        <div aria-live="polite" aria-atomic="true">
          {incomplete.size > 0 ? (
            <p className="text-sm text-amber-800">Finish the highlighted condition to see the count.</p>
          ) : invalid ? (
            <p className="text-sm font-medium text-red-700">
              The rule needs fixing: see the messages beside the conditions.
            </p>
          ) : preview.isError ? (
            <p className="text-sm font-medium text-red-700">{errorMessage(preview.error)}</p>
          ) : data ? (
            <p className={cx('transition-opacity', updating && 'opacity-60')}>
              <span
                className="text-4xl font-semibold tracking-tight text-slate-900 tabular-nums"
                data-testid="audience-count"
              >
                {formatCount(data.count)}
              </span>{' '}
              <span className="text-sm text-slate-600">{data.count === 1 ? 'customer' : 'customers'}</span>
            </p>
          ) : (
            <Skeleton rows={1} />
          )}
          <p className="mt-1 h-4 text-xs text-slate-600">
            {incomplete.size > 0 ? '' : updating ? 'Updating…' : data ? 'Up to date' : ''}
          </p>
        </div>
        <AudienceReach audience={audience} />
        <div>
          <h3 className="text-xs font-semibold tracking-wide text-slate-600 uppercase">In plain English</h3>
          <p className="mt-1 text-sm text-slate-800" data-testid="rule-english">
            Customers: {english}
            {english.endsWith('…') ? '' : '.'}
          </p>
        </div>
        {data && data.sample.length > 0 && (
          <div>
            <h3 className="text-xs font-semibold tracking-wide text-slate-600 uppercase">Sample</h3>
            <ul className="mt-2 divide-y divide-slate-100">
              {data.sample.map((c) => (
                <li key={c.external_id} className="flex items-center justify-between gap-3 py-2 text-sm">
                  <Link
                    to={`/customers/${encodeURIComponent(c.external_id)}`}
                    className="min-w-0 truncate font-medium text-indigo-700 hover:underline"
                  >
                    {c.name || c.external_id}
                  </Link>
                  <span className="shrink-0 text-xs text-slate-600 tabular-nums">
                    {c.city ? `${c.city} · ` : ''}
                    {formatMoney(c.total_spend, c.currency)}
                  </span>
                </li>
              ))}
            </ul>
          </div>
        )}
      </CardBody>
    </Card>
  );
}

export function AudienceBuilder({
  catalogue,
  query,
  onQueryChange,
  audience,
  extraProblem,
  currency,
}: {
  catalogue: SegmentFields;
  query: RuleGroupType;
  onQueryChange: (q: RuleGroupType) => void;
  audience: AudiencePreview;
  /** A save's or launch's refusal, whose rule errors are shown at their conditions too. */
  extraProblem?: ApiProblem | null;
  currency?: string;
}) {
  const context = useMemo<BuilderContext>(() => {
    const errors = new Map(audience.errors);
    if (extraProblem)
      for (const [k, v] of groupRuleErrors(extraProblem.errors)) errors.set(k, [...(errors.get(k) ?? []), ...v]);
    return { errors, incomplete: audience.incomplete, currency };
  }, [audience.errors, audience.incomplete, extraProblem, currency]);
  const rootErrors = context.errors.get('') ?? [];
  return (
    <div className="grid gap-6 lg:grid-cols-3">
      <div className="min-w-0 space-y-4 lg:col-span-2">
        <FromText onRule={onQueryChange} />
        {rootErrors.length > 0 && (
          <ul role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
            {rootErrors.map((e, i) => (
              <li key={i}>{e.message}</li>
            ))}
          </ul>
        )}
        <RuleBuilder catalogue={catalogue} query={query} onQueryChange={onQueryChange} context={context} />
      </div>
      <div className="min-w-0">
        <PreviewPanel catalogue={catalogue} query={query} audience={audience} currency={currency} />
      </div>
    </div>
  );
}

// A customer's consent: each channel's status with where it came from and when, the topics they may leave,
// the history of every change (newest first), and, for those who may, a control to change one (source
// `admin`). What "none recorded" means comes from the workspace's policy.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { Link } from 'react-router';

import { api, unwrap } from '@/api/client';
import { ApiProblem, errorMessage } from '@/api/problem';
import { useSession } from '@/auth/session';
import { Badge } from '@/components/Badge';
import { Button } from '@/components/Button';
import { Card, CardBody, CardHeader } from '@/components/Card';
import { SelectField } from '@/components/Field';
import { ErrorState, Skeleton } from '@/components/States';
import {
  changeField,
  channelConsent,
  CONSENT_CHANNELS,
  consentTone,
  sourceLabel,
  STATUSES,
  statusLabel,
  subjectLabel,
  subscriptionChange,
  topicRows,
  type SubscriptionStatus,
  type SubscriptionView,
} from '@/compliance/consent';
import { formatDateTime } from '@/lib/format';
import { useCompliance } from '@/lib/queries';

/** History entries shown before "Show all". */
const HISTORY_SHOWN = 10;

interface Change {
  kind: 'channel' | 'topic';
  name: string;
  label: string;
  status: SubscriptionStatus;
}

function Row({
  label,
  view,
  none,
  badge,
  control,
  testId,
}: {
  label: string;
  view: SubscriptionView | null;
  none: string;
  badge: { text: string; tone: ReturnType<typeof consentTone> };
  control?: ReactNode;
  testId: string;
}) {
  return (
    <li className="py-3" data-testid={testId}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <div className="min-w-0">
          <p className="text-sm font-medium text-slate-900">
            {label}{' '}
            <span data-consent-status={view?.status ?? 'none'}>
              <Badge tone={badge.tone}>{badge.text}</Badge>
            </span>
          </p>
          <p className="mt-0.5 text-xs text-slate-600">
            {view ? `${sourceLabel(view.source)} · ${formatDateTime(view.changed_at)}` : none}
          </p>
        </div>
        {control}
      </div>
    </li>
  );
}

export function ConsentCard({ externalId }: { externalId: string }) {
  const client = useQueryClient();
  const { can } = useSession();
  const write = can('write');
  const compliance = useCompliance();
  const [showAll, setShowAll] = useState(false);
  const key = ['customer-subscriptions', externalId];
  const subs = useQuery({
    queryKey: key,
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/customers/{external_id}/subscriptions', {
          params: { path: { external_id: externalId } },
          signal,
        }),
      ),
  });
  const change = useMutation({
    mutationFn: (c: Change) =>
      unwrap(
        api.PUT('/api/v1/customers/{external_id}/subscriptions', {
          params: { path: { external_id: externalId } },
          body: subscriptionChange(c.kind, c.name, c.status),
        }),
      ),
    onSuccess: (detail) => {
      client.setQueryData(key, detail);
      void client.invalidateQueries({ queryKey: ['customer', externalId] });
    },
  });
  const problem = change.error instanceof ApiProblem ? change.error : null;
  const errorsFor = (kind: Change['kind'], name: string) =>
    change.variables?.kind === kind && change.variables.name === name
      ? (problem?.messagesFor(changeField(kind, name)) ?? [])
      : [];
  const fieldErrors = problem?.errors.filter((e) => /^(channels|topics)\./.test(e.field)).length ?? 0;

  const picker = (kind: Change['kind'], name: string, label: string, options: typeof STATUSES) =>
    write ? (
      <SelectField
        label={kind === 'channel' ? `Change ${label} consent` : `Change consent to topic ${name}`}
        hideLabel
        value=""
        disabled={change.isPending}
        onChange={(e) => {
          if (e.target.value) change.mutate({ kind, name, label, status: e.target.value as SubscriptionStatus });
        }}
        className="h-8 py-1"
        errors={errorsFor(kind, name)}
      >
        <option value="">Change…</option>
        {options.map((s) => (
          <option key={s.value} value={s.value}>
            {s.label}
          </option>
        ))}
      </SelectField>
    ) : undefined;

  const policy = compliance.data?.policy;
  return (
    <Card className="min-w-0">
      <CardHeader
        title="Consent"
        description="What this customer agreed to receive, where each answer came from, and when."
      />
      {subs.isPending ? (
        <CardBody>
          <Skeleton rows={4} />
        </CardBody>
      ) : subs.isError ? (
        <CardBody>
          <ErrorState error={subs.error} title="Cannot load consent" retry={() => void subs.refetch()} />
        </CardBody>
      ) : (
        <CardBody className="space-y-5">
          <section aria-labelledby="consent-channels">
            <h3 id="consent-channels" className="text-xs font-semibold tracking-wide text-slate-600 uppercase">
              Channels
            </h3>
            <ul className="divide-y divide-slate-100">
              {CONSENT_CHANNELS.map(({ value, label }) => {
                const view = channelConsent(subs.data, value);
                const none =
                  policy?.[value] === 'opt_in'
                    ? 'Nothing recorded: not messaged, the channel is opt-in.'
                    : 'Nothing recorded: messaged until they unsubscribe.';
                return (
                  <Row
                    key={value}
                    testId={`consent-${value}`}
                    label={label}
                    view={view}
                    none={none}
                    badge={{ text: statusLabel(view?.status), tone: consentTone(view?.status) }}
                    control={picker('channel', value, label, STATUSES)}
                  />
                );
              })}
            </ul>
          </section>
          <section aria-labelledby="consent-topics">
            <h3 id="consent-topics" className="text-xs font-semibold tracking-wide text-slate-600 uppercase">
              Topics
            </h3>
            {(() => {
              const rows = topicRows(subs.data, compliance.data?.topics ?? []);
              if (rows.length === 0)
                return (
                  <p className="mt-2 text-sm text-slate-600">
                    The workspace has no topics.{' '}
                    {can('manage') && (
                      <Link className="text-indigo-700 underline" to="/settings/compliance">
                        Add them on the Compliance page.
                      </Link>
                    )}
                  </p>
                );
              return (
                <ul className="divide-y divide-slate-100">
                  {rows.map(({ topic, view, listed }) => (
                    <Row
                      key={topic}
                      testId={`consent-topic-${topic}`}
                      label={topic}
                      view={view}
                      none="Never left."
                      badge={
                        view
                          ? { text: statusLabel(view.status), tone: consentTone(view.status) }
                          : { text: 'Subscribed', tone: 'neutral' }
                      }
                      control={listed ? picker('topic', topic, `Topic “${topic}”`, STATUSES.slice(0, 2)) : undefined}
                    />
                  ))}
                </ul>
              );
            })()}
          </section>
          {change.isError && fieldErrors === 0 && (
            <p role="alert" className="text-sm text-red-700">
              Not changed: {errorMessage(change.error)}
            </p>
          )}
          {change.isSuccess && (
            <p role="status" className="text-sm text-emerald-800">
              {change.variables.label} set to {statusLabel(change.variables.status).toLowerCase()}.
            </p>
          )}
          <section aria-labelledby="consent-history">
            <h3 id="consent-history" className="text-xs font-semibold tracking-wide text-slate-600 uppercase">
              History
            </h3>
            {subs.data.history.length === 0 ? (
              <p className="mt-2 text-sm text-slate-600">No consent recorded yet.</p>
            ) : (
              <>
                <ol className="mt-1 divide-y divide-slate-100" data-testid="consent-history">
                  {(showAll ? subs.data.history : subs.data.history.slice(0, HISTORY_SHOWN)).map((h, i) => (
                    <li key={i} className="py-2 text-sm">
                      <p className="text-slate-900">
                        <span className="font-medium">{subjectLabel(h.subject)}</span>: {statusLabel(h.status)}
                      </p>
                      <p className="text-xs text-slate-600">
                        {sourceLabel(h.source)} · <time dateTime={h.changed_at}>{formatDateTime(h.changed_at)}</time>
                      </p>
                    </li>
                  ))}
                </ol>
                {!showAll && subs.data.history.length > HISTORY_SHOWN && (
                  <Button variant="secondary" size="sm" className="mt-2" onClick={() => setShowAll(true)}>
                    Show all {subs.data.history.length} changes
                  </Button>
                )}
              </>
            )}
          </section>
        </CardBody>
      )}
    </Card>
  );
}

// One campaign: live progress while it delivers, the delivery chart, its message and audience, the
// lifecycle commands (pause, resume, cancel, retry failed), a test send and the communication log.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';

import { api, unwrap } from '@/api/client';
import { errorMessage } from '@/api/problem';
import { describeRule } from '@/audience/describe';
import { fromServerRule } from '@/audience/fields';
import { useSession } from '@/auth/session';
import { StatusBadge } from '@/components/Badge';
import { Button } from '@/components/Button';
import { Card, CardBody, CardHeader, Stat } from '@/components/Card';
import { Dialog } from '@/components/Dialog';
import { PageHeader } from '@/components/Page';
import { EmptyState, ErrorState, Skeleton } from '@/components/States';
import { formatCount, formatDateTime, formatRate } from '@/lib/format';
import { useCurrency, useSegmentFields } from '@/lib/queries';

import { CampaignLog } from './CampaignLog';
import { TestSendDialog } from './TestSendDialog';

import { channelLabel, isLive, progress } from './shared';

type Command = 'pause' | 'resume' | 'cancel' | 'retry-failed';

// recharts loads after the page's numbers, which matter more while a campaign is delivering.
const DeliveryChart = lazy(() => import('./DeliveryChart').then((m) => ({ default: m.DeliveryChart })));

export default function CampaignPage() {
  const { campaignId } = useParams();
  const id = Number(campaignId);
  const client = useQueryClient();
  const { can } = useSession();
  const catalogue = useSegmentFields();
  const currency = useCurrency();
  const [confirmCancel, setConfirmCancel] = useState(false);
  const [testing, setTesting] = useState(false);
  const campaign = useQuery({
    queryKey: ['campaign', id],
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/campaigns/{id}', { params: { path: { id } }, signal })),
    refetchInterval: (q) => (q.state.data && isLive(q.state.data) ? 1000 : false),
  });
  const command = useMutation({
    mutationFn: async (what: Command) => {
      const params = { params: { path: { id } } };
      switch (what) {
        case 'pause':
          return unwrap(api.POST('/api/v1/campaigns/{id}/pause', params));
        case 'resume':
          return unwrap(api.POST('/api/v1/campaigns/{id}/resume', params));
        case 'cancel':
          return unwrap(api.POST('/api/v1/campaigns/{id}/cancel', params));
        case 'retry-failed':
          return unwrap(api.POST('/api/v1/campaigns/{id}/retry-failed', params));
      }
    },
    onSettled: () => {
      setConfirmCancel(false);
      void client.invalidateQueries({ queryKey: ['campaign', id] });
      void client.invalidateQueries({ queryKey: ['campaign-log', id] });
      void client.invalidateQueries({ queryKey: ['campaigns'] });
    },
  });
  const c = campaign.data;
  const english = useMemo(
    () => (c && catalogue.data ? describeRule(fromServerRule(c.rule), catalogue.data, currency) : null),
    [c, catalogue.data, currency],
  );
  const back = (
    <Link to="/campaigns" className="mb-1 inline-block text-sm text-indigo-700 hover:underline">
      ← Campaigns
    </Link>
  );

  if (campaign.isPending)
    return (
      <>
        <PageHeader title="Campaign" back={back} />
        <Skeleton rows={8} />
      </>
    );
  if (campaign.isError || !c)
    return (
      <>
        <PageHeader title="Campaign" back={back} />
        <ErrorState error={campaign.error} retry={() => void campaign.refetch()} />
      </>
    );

  const live = isLive(c);
  const done = progress(c.stats);
  const writable = can('write');
  const actions = writable && (
    <>
      <Button variant="secondary" onClick={() => setTesting(true)}>
        Send a test
      </Button>
      {(c.status === 'running' || c.status === 'scheduled') && (
        <Button
          variant="secondary"
          busy={command.isPending && command.variables === 'pause'}
          onClick={() => command.mutate('pause')}
        >
          Pause
        </Button>
      )}
      {c.status === 'paused' && (
        <Button busy={command.isPending && command.variables === 'resume'} onClick={() => command.mutate('resume')}>
          Resume
        </Button>
      )}
      {c.stats.failed > 0 && c.status !== 'cancelled' && (
        <Button
          variant="secondary"
          busy={command.isPending && command.variables === 'retry-failed'}
          onClick={() => command.mutate('retry-failed')}
        >
          Retry {formatCount(c.stats.failed)} failed
        </Button>
      )}
      {(c.status === 'running' || c.status === 'scheduled' || c.status === 'paused') && (
        <Button variant="danger" onClick={() => setConfirmCancel(true)}>
          Cancel
        </Button>
      )}
    </>
  );

  return (
    <>
      <PageHeader
        title={c.name}
        back={back}
        description={
          <span className="inline-flex flex-wrap items-center gap-2">
            <StatusBadge status={c.status} /> {channelLabel(c.channel)} · {c.topic ? `topic “${c.topic}” · ` : ''}
            {c.status === 'scheduled'
              ? `sends ${formatDateTime(c.send_at)}`
              : `created ${formatDateTime(c.created_at)}`}
          </span>
        }
        actions={actions}
      />
      {command.isError && (
        <p role="alert" className="mb-4 rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
          {errorMessage(command.error)}
        </p>
      )}
      {command.data && 'retried' in command.data && (
        <p role="status" className="mb-4 rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-900">
          {formatCount(command.data.retried)} failed messages will be sent again.
        </p>
      )}
      <div className="grid grid-cols-2 gap-4 md:grid-cols-3 xl:grid-cols-5">
        <Stat label="Audience" value={<span data-testid="stat-audience">{formatCount(c.stats.audience)}</span>} />
        <Stat label="Sent" value={<span data-testid="stat-sent">{formatCount(c.stats.sent)}</span>} />
        <Stat label="Failed" value={<span data-testid="stat-failed">{formatCount(c.stats.failed)}</span>} />
        <Stat
          label="Pending"
          value={<span data-testid="stat-pending">{formatCount(c.stats.pending)}</span>}
          hint={c.stats.skipped ? `${formatCount(c.stats.skipped)} skipped` : undefined}
        />
        <Stat label="Success rate" value={formatRate(c.success_rate)} />
      </div>
      <Card className="mt-6">
        <CardBody>
          <div className="flex items-center justify-between text-sm">
            <span id="progress-label" className="font-medium text-slate-800">
              {live ? 'Delivering…' : 'Delivery'}
            </span>
            <span className="text-slate-600 tabular-nums">{Math.round(done * 100)}%</span>
          </div>
          <div
            className="mt-2 h-2.5 overflow-hidden rounded-full bg-slate-100"
            role="progressbar"
            aria-labelledby="progress-label"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={Math.round(done * 100)}
          >
            <div className="flex h-full">
              <div
                className="bg-emerald-600 transition-all"
                style={{ width: `${c.stats.audience ? (c.stats.sent / c.stats.audience) * 100 : 0}%` }}
              />
              <div
                className="bg-red-600 transition-all"
                style={{ width: `${c.stats.audience ? (c.stats.failed / c.stats.audience) * 100 : 0}%` }}
              />
              <div
                className="bg-amber-400 transition-all"
                style={{ width: `${c.stats.audience ? (c.stats.skipped / c.stats.audience) * 100 : 0}%` }}
              />
            </div>
          </div>
        </CardBody>
      </Card>
      <div className="mt-6 grid gap-6 lg:grid-cols-3">
        <Card className="min-w-0 lg:col-span-2">
          <CardHeader title="Deliveries over time" />
          <CardBody>
            {c.timeline.length === 0 ? (
              <EmptyState title={c.status === 'scheduled' ? 'Not started yet' : 'No outcomes yet'}>
                {c.status === 'scheduled'
                  ? `Sending starts ${formatDateTime(c.send_at)}.`
                  : 'Outcomes appear as the vendor confirms them.'}
              </EmptyState>
            ) : (
              <Suspense fallback={<Skeleton rows={5} />}>
                <DeliveryChart points={c.timeline} bucketSeconds={c.bucket_seconds} />
              </Suspense>
            )}
          </CardBody>
        </Card>
        <Card>
          <CardHeader title="Message" />
          <CardBody className="space-y-4 text-sm">
            <pre className="rounded-md bg-slate-50 p-3 font-mono text-xs whitespace-pre-wrap text-slate-800">
              {c.template}
            </pre>
            <div>
              <h3 className="text-xs font-semibold tracking-wide text-slate-600 uppercase">Audience</h3>
              <p className="mt-1 text-slate-800">{english ? `Customers: ${english}.` : '…'}</p>
              {c.segment_id && (
                <Link className="mt-1 inline-block text-indigo-700 hover:underline" to={`/audiences/${c.segment_id}`}>
                  Saved segment
                </Link>
              )}
            </div>
          </CardBody>
        </Card>
      </div>
      <div className="mt-6">
        <CampaignLog campaignId={id} live={live} />
      </div>
      {writable && <TestSendDialog campaignId={id} channel={c.channel} open={testing} onOpenChange={setTesting} />}
      <Dialog
        open={confirmCancel}
        onOpenChange={setConfirmCancel}
        title="Cancel this campaign?"
        description={`${formatCount(c.stats.pending)} messages not sent yet will be skipped. This cannot be undone.`}
        footer={
          <>
            <Button variant="secondary" onClick={() => setConfirmCancel(false)}>
              Keep it
            </Button>
            <Button variant="danger" busy={command.isPending} onClick={() => command.mutate('cancel')}>
              Cancel campaign
            </Button>
          </>
        }
      />
    </>
  );
}

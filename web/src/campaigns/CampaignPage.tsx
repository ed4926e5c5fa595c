// One campaign: live progress while it delivers, the delivery chart, its message and audience, the
// lifecycle commands (pause, resume, cancel, retry failed), a test send and the communication log.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useEffect, useMemo, useRef, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';

import { api, unwrap } from '@/api/client';
import { errorMessage } from '@/api/problem';
import { describeRule } from '@/audience/describe';
import { fromServerRule } from '@/audience/fields';
import { useSession } from '@/auth/session';
import { StatusBadge } from '@/components/Badge';
import { Button, buttonClass } from '@/components/Button';
import { Card, CardBody, CardHeader, Stat } from '@/components/Card';
import { Dialog } from '@/components/Dialog';
import { PageHeader } from '@/components/Page';
import { EmptyState, ErrorState, Skeleton } from '@/components/States';
import { formatCount, formatDateTime, formatRate } from '@/lib/format';
import { useCurrency, useSegmentFields } from '@/lib/queries';

import { CampaignLog } from './CampaignLog';
import { DeliveryProgress } from './DeliveryProgress';
import { LaunchDraftDialog } from './LaunchDraftDialog';
import { channelLabel, isLive } from './shared';
import { TestSendDialog } from './TestSendDialog';

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
  const [launching, setLaunching] = useState(false);
  const navigate = useNavigate();
  // The one source of the page's numbers: the cards, the bar, the chart (its timeline) and the log's
  // refresh all follow this poll, so they cannot disagree.
  const campaign = useQuery({
    queryKey: ['campaign', id],
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/campaigns/{id}', { params: { path: { id } }, signal })),
    refetchInterval: (q) => (q.state.data && isLive(q.state.data) ? 1000 : false),
    staleTime: 0,
  });
  const c = campaign.data;
  const live = c ? isLive(c) : false;
  // Once it stops changing, ask one last time: receipts that landed with the last status change are counted.
  const wasLive = useRef(false);
  const { refetch } = campaign;
  useEffect(() => {
    if (wasLive.current && !live) void refetch();
    wasLive.current = live;
  }, [live, refetch]);
  const duplicate = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/campaigns/{id}/duplicate', { params: { path: { id } } })),
    onSuccess: (copy) => {
      void client.invalidateQueries({ queryKey: ['campaigns'] });
      navigate(`/campaigns/${copy.id}/edit`);
    },
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
    onSuccess: (_, what) => {
      // A discarded draft is gone from the marketer's point of view: back to the list.
      if (what === 'cancel' && c?.status === 'draft') navigate('/campaigns');
    },
    onSettled: () => {
      setConfirmCancel(false);
      void client.invalidateQueries({ queryKey: ['campaign', id] });
      void client.invalidateQueries({ queryKey: ['campaign-log', id] });
      void client.invalidateQueries({ queryKey: ['campaigns'] });
    },
  });
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

  const writable = can('write');
  const draft = c.status === 'draft';
  const actions = writable && (
    <>
      {draft && <Button onClick={() => setLaunching(true)}>Launch</Button>}
      {(draft || c.status === 'scheduled') && (
        <Link className={buttonClass('secondary')} to={`/campaigns/${id}/edit`}>
          Edit
        </Link>
      )}
      <Button variant="secondary" busy={duplicate.isPending} onClick={() => duplicate.mutate()}>
        Duplicate
      </Button>
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
      {(draft || c.status === 'running' || c.status === 'scheduled' || c.status === 'paused') && (
        <Button variant="danger" onClick={() => setConfirmCancel(true)}>
          {draft ? 'Discard' : 'Cancel'}
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
      {(command.isError || duplicate.isError) && (
        <p role="alert" className="mb-4 rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
          {errorMessage(command.error ?? duplicate.error)}
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
          hint={
            <>
              <span data-testid="stat-skipped">{formatCount(c.stats.skipped)}</span> skipped
            </>
          }
        />
        <Stat label="Success rate" value={formatRate(c.success_rate)} />
      </div>
      <Card className="mt-6">
        <CardBody>
          <DeliveryProgress campaign={c} />
        </CardBody>
      </Card>
      <div className="mt-6 grid gap-6 lg:grid-cols-3">
        <Card className="min-w-0 lg:col-span-2">
          <CardHeader title="Deliveries over time" />
          <CardBody>
            {c.timeline.length === 0 ? (
              <EmptyState
                title={draft ? 'Nothing sent yet' : c.status === 'scheduled' ? 'Not started yet' : 'No outcomes yet'}
              >
                {draft
                  ? 'Outcomes appear here once the draft is launched.'
                  : c.status === 'scheduled'
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
              <p className="mt-1 text-slate-800">
                {!c.rule ? 'No audience chosen yet.' : english ? `Customers: ${english}.` : '…'}
              </p>
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
        <CampaignLog campaignId={id} tick={campaign.dataUpdatedAt} />
      </div>
      {writable && draft && (
        <LaunchDraftDialog
          campaign={c}
          open={launching}
          onOpenChange={setLaunching}
          onLaunched={() => {
            void client.invalidateQueries({ queryKey: ['campaign', id] });
            void client.invalidateQueries({ queryKey: ['campaigns'] });
          }}
        />
      )}
      {writable && <TestSendDialog campaignId={id} channel={c.channel} open={testing} onOpenChange={setTesting} />}
      <Dialog
        open={confirmCancel}
        onOpenChange={setConfirmCancel}
        title={draft ? 'Discard this draft?' : 'Cancel this campaign?'}
        description={
          draft
            ? 'Nothing was sent; the draft is put away as cancelled. This cannot be undone.'
            : `${formatCount(c.stats.pending)} messages not sent yet will be skipped. This cannot be undone.`
        }
        footer={
          <>
            <Button variant="secondary" onClick={() => setConfirmCancel(false)}>
              Keep it
            </Button>
            <Button variant="danger" busy={command.isPending} onClick={() => command.mutate('cancel')}>
              {draft ? 'Discard draft' : 'Cancel campaign'}
            </Button>
          </>
        }
      />
    </>
  );
}

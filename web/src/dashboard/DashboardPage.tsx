// The workspace at a glance: totals, campaigns in flight, recent campaigns and ingestion over 30 days.
import { lazy, Suspense } from 'react';
import { Link } from 'react-router';

import { ApiProblem } from '@/api/problem';
import { buttonClass } from '@/components/Button';
import { Card, CardBody, CardHeader, Stat } from '@/components/Card';
import { PlusIcon } from '@/components/Icons';
import { PageHeader } from '@/components/Page';
import { EmptyState, ErrorState, Skeleton } from '@/components/States';
import { formatCount, formatMoney } from '@/lib/format';
import { useDashboard } from '@/lib/queries';

// recharts is the biggest library here: the page shows its numbers first and draws the charts when it arrives.
const CampaignsChart = lazy(() => import('./charts').then((m) => ({ default: m.CampaignsChart })));
const IngestionChart = lazy(() => import('./charts').then((m) => ({ default: m.IngestionChart })));

export default function DashboardPage() {
  const dashboard = useDashboard();
  const actions = (
    <>
      <Link className={buttonClass('secondary')} to="/audiences/new">
        New audience
      </Link>
      <Link className={buttonClass('primary')} to="/campaigns/new">
        <PlusIcon width={16} height={16} /> New campaign
      </Link>
    </>
  );
  if (dashboard.isError) {
    const missing = dashboard.error instanceof ApiProblem && dashboard.error.status === 404;
    return (
      <>
        <PageHeader title="Dashboard" actions={actions} />
        <ErrorState
          error={dashboard.error}
          title={missing ? 'The dashboard is not available on this server' : 'Cannot load the dashboard'}
          retry={() => void dashboard.refetch()}
        />
      </>
    );
  }
  const d = dashboard.data;
  return (
    <>
      <PageHeader title="Dashboard" description="Your customers and campaigns at a glance." actions={actions} />
      <div className="grid grid-cols-2 gap-4 lg:grid-cols-4">
        {d ? (
          <>
            <Stat label="Customers" value={formatCount(d.customers)} />
            <Stat label="Orders" value={formatCount(d.orders)} />
            <Stat label="Revenue" value={formatMoney(d.revenue, d.currency)} />
            <Stat
              label="Campaigns in flight"
              value={formatCount(d.campaigns.in_flight)}
              hint={`${formatCount(d.campaigns.total)} in total`}
            />
          </>
        ) : (
          Array.from({ length: 4 }, (_, i) => (
            <Card key={i} className="p-5">
              <Skeleton rows={2} />
            </Card>
          ))
        )}
      </div>
      <div className="mt-6 grid gap-6 lg:grid-cols-2">
        <Card>
          <CardHeader
            title="Recent campaigns"
            description="Audience, sent and failed messages."
            actions={
              <Link className="text-sm font-medium text-indigo-700 hover:underline" to="/campaigns">
                All campaigns
              </Link>
            }
          />
          <CardBody>
            {!d ? (
              <Skeleton rows={5} />
            ) : d.recent_campaigns.length === 0 ? (
              <EmptyState
                title="No campaigns yet"
                action={
                  <Link className={buttonClass('primary', 'sm')} to="/campaigns/new">
                    Create a campaign
                  </Link>
                }
              >
                Pick an audience, write a message, and send.
              </EmptyState>
            ) : (
              <Suspense fallback={<Skeleton rows={5} />}>
                <CampaignsChart campaigns={d.recent_campaigns} />
              </Suspense>
            )}
          </CardBody>
        </Card>
        <Card>
          <CardHeader title="Ingestion" description="Customers and orders received per day, last 30 days." />
          <CardBody>
            {!d ? (
              <Skeleton rows={5} />
            ) : (
              <Suspense fallback={<Skeleton rows={5} />}>
                <IngestionChart days={d.ingestion} />
              </Suspense>
            )}
          </CardBody>
        </Card>
      </div>
    </>
  );
}

// Campaign history, newest first, with live numbers while any campaign is delivering.
import { useInfiniteQuery } from '@tanstack/react-query';
import { Link } from 'react-router';

import { api, unwrap } from '@/api/client';
import { StatusBadge } from '@/components/Badge';
import { Button, buttonClass } from '@/components/Button';
import { Card } from '@/components/Card';
import { PlusIcon, SendIcon } from '@/components/Icons';
import { PageHeader } from '@/components/Page';
import { EmptyState, ErrorState, Skeleton } from '@/components/States';
import { Table, Td, Th, Tr } from '@/components/Table';
import { formatCount, formatRate, formatRelative } from '@/lib/format';

import { channelLabel, isLive } from './shared';

export default function CampaignsPage() {
  const campaigns = useInfiniteQuery({
    queryKey: ['campaigns'],
    queryFn: ({ pageParam, signal }) =>
      unwrap(api.GET('/api/v1/campaigns', { params: { query: { before: pageParam, limit: 20 } }, signal })),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (last) => last.next_before ?? undefined,
    refetchInterval: (q) => (q.state.data?.pages.some((p) => p.items.some(isLive)) ? 2000 : false),
  });
  const items = campaigns.data?.pages.flatMap((p) => p.items) ?? [];
  const newButton = (
    <Link className={buttonClass('primary')} to="/campaigns/new">
      <PlusIcon width={16} height={16} /> New campaign
    </Link>
  );
  return (
    <>
      <PageHeader
        title="Campaigns"
        description="Every campaign, newest first, with its delivery numbers."
        actions={newButton}
      />
      <Card>
        {campaigns.isPending ? (
          <div className="p-5">
            <Skeleton rows={6} />
          </div>
        ) : campaigns.isError ? (
          <div className="p-5">
            <ErrorState error={campaigns.error} retry={() => void campaigns.refetch()} />
          </div>
        ) : items.length === 0 ? (
          <EmptyState title="No campaigns yet" icon={<SendIcon width={32} height={32} />} action={newButton}>
            A campaign sends every customer of an audience a personalised message, and tracks each delivery.
          </EmptyState>
        ) : (
          <>
            <Table label="Campaigns">
              <thead className="bg-slate-50">
                <tr>
                  <Th>Campaign</Th>
                  <Th>Status</Th>
                  <Th className="text-right">Audience</Th>
                  <Th className="text-right">Sent</Th>
                  <Th className="text-right">Failed</Th>
                  <Th className="text-right">Success</Th>
                  <Th>Created</Th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {items.map((c) => (
                  <Tr key={c.id}>
                    <Td>
                      {/* A draft is still being written: it opens in the editor. */}
                      <Link
                        className="font-medium text-indigo-700 hover:underline"
                        to={c.status === 'draft' ? `/campaigns/${c.id}/edit` : `/campaigns/${c.id}`}
                      >
                        {c.name}
                      </Link>
                      <p className="text-xs text-slate-600">{channelLabel(c.channel)}</p>
                    </Td>
                    <Td>
                      <StatusBadge status={c.status} />
                    </Td>
                    <Td className="text-right tabular-nums">{formatCount(c.stats.audience)}</Td>
                    <Td className="text-right tabular-nums">{formatCount(c.stats.sent)}</Td>
                    <Td className="text-right tabular-nums">{formatCount(c.stats.failed)}</Td>
                    <Td className="text-right tabular-nums">{formatRate(c.success_rate)}</Td>
                    <Td className="whitespace-nowrap text-slate-600">{formatRelative(c.created_at)}</Td>
                  </Tr>
                ))}
              </tbody>
            </Table>
            {campaigns.hasNextPage && (
              <div className="border-t border-slate-100 p-3 text-center">
                <Button
                  variant="secondary"
                  size="sm"
                  busy={campaigns.isFetchingNextPage}
                  onClick={() => void campaigns.fetchNextPage()}
                >
                  Load more
                </Button>
              </div>
            )}
          </>
        )}
      </Card>
    </>
  );
}

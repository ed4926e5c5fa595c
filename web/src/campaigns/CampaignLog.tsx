// A campaign's communication log: filter by status, page through, export as CSV.
import { useInfiniteQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';

import { api, sessionHeaders, unwrap, type Schemas } from '@/api/client';
import { toProblem, errorMessage } from '@/api/problem';
import { StatusBadge } from '@/components/Badge';
import { Button } from '@/components/Button';
import { Card, CardHeader } from '@/components/Card';
import { SelectField } from '@/components/Field';
import { EmptyState, ErrorState, Skeleton } from '@/components/States';
import { Table, Td, Th, Tr } from '@/components/Table';
import { LogReason } from '@/compliance/LogReason';
import { formatDateTime } from '@/lib/format';

type DeliveryStatus = Schemas['DeliveryStatus'];
const STATUSES: DeliveryStatus[] = ['PENDING', 'SENT', 'FAILED', 'SKIPPED'];

async function downloadCsv(campaignId: number, status: DeliveryStatus | '') {
  const query = new URLSearchParams({ format: 'csv' });
  if (status) query.set('status', status);
  // A plain link cannot carry the workspace header, so fetch and hand the browser a blob.
  const response = await fetch(`/api/v1/campaigns/${campaignId}/log?${query}`, {
    headers: sessionHeaders(),
    credentials: 'same-origin',
  });
  if (!response.ok) throw toProblem(response.status, await response.json().catch(() => null), response.statusText);
  const url = URL.createObjectURL(await response.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = `campaign-${campaignId}-log${status ? `-${status.toLowerCase()}` : ''}.csv`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * `tick` is when the campaign page last heard from the server (its poll's `dataUpdatedAt`): the log asks
 * again on the same beat, so it never lags behind the numbers above it.
 */
export function CampaignLog({ campaignId, tick }: { campaignId: number; tick: number }) {
  const [status, setStatus] = useState<DeliveryStatus | ''>('');
  const [exporting, setExporting] = useState<string | null>(null);
  const log = useInfiniteQuery({
    queryKey: ['campaign-log', campaignId, status],
    queryFn: async ({ pageParam, signal }) => {
      const page = await unwrap(
        api.GET('/api/v1/campaigns/{id}/log', {
          params: { path: { id: campaignId }, query: { status: status || undefined, after: pageParam, limit: 50 } },
          signal,
        }),
      );
      // The route answers CSV only when asked for it (format=csv, see downloadCsv).
      if (typeof page === 'string') throw new Error('the log answered CSV instead of JSON');
      return page;
    },
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (last) => last.next_after ?? undefined,
  });
  const seen = useRef(tick);
  const { refetch, isFetching } = log;
  useEffect(() => {
    if (tick === seen.current) return;
    seen.current = tick;
    // A page still loading will have the newest rows anyway.
    if (!isFetching) void refetch();
  }, [tick, refetch, isFetching]);
  const items = log.data?.pages.flatMap((p) => p.items) ?? [];
  const exportCsv = async () => {
    setExporting('');
    try {
      await downloadCsv(campaignId, status);
      setExporting(null);
    } catch (err) {
      setExporting(errorMessage(err));
    }
  };
  return (
    <Card>
      <CardHeader
        title="Communication log"
        description="Every message of this campaign."
        actions={
          <>
            <SelectField
              label="Status"
              hideLabel
              value={status}
              onChange={(e) => setStatus(e.target.value as DeliveryStatus | '')}
              className="h-8 py-1"
            >
              <option value="">All statuses</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s.charAt(0) + s.slice(1).toLowerCase()}
                </option>
              ))}
            </SelectField>
            <Button variant="secondary" size="sm" busy={exporting === ''} onClick={() => void exportCsv()}>
              Export CSV
            </Button>
          </>
        }
      />
      {exporting && (
        <p role="alert" className="px-5 pt-3 text-sm text-red-700">
          {exporting}
        </p>
      )}
      {log.isPending ? (
        <div className="p-5">
          <Skeleton rows={5} />
        </div>
      ) : log.isError ? (
        <div className="p-5">
          <ErrorState error={log.error} retry={() => void log.refetch()} />
        </div>
      ) : items.length === 0 ? (
        <EmptyState title={status ? `No ${status.toLowerCase()} messages` : 'No messages'} />
      ) : (
        <>
          <Table label="Messages of this campaign">
            <thead className="bg-slate-50">
              <tr>
                <Th>Customer</Th>
                <Th>Status</Th>
                <Th>Channel</Th>
                <Th>Message</Th>
                <Th>Updated</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {items.map((m) => (
                <Tr key={m.id}>
                  <Td>
                    <Link
                      className="font-medium text-indigo-700 hover:underline"
                      to={`/customers/${encodeURIComponent(m.customer_external_id)}`}
                    >
                      {m.customer_name || m.customer_external_id}
                    </Link>
                    <p className="text-xs text-slate-600">{m.address ?? m.customer_external_id}</p>
                  </Td>
                  <Td>
                    <StatusBadge status={m.status} />
                    <LogReason status={m.status} error={m.error} />
                  </Td>
                  <Td>{m.channel ?? '—'}</Td>
                  <Td className="max-w-sm">
                    <p className="line-clamp-2 text-xs text-slate-700">{m.message ?? '—'}</p>
                  </Td>
                  <Td className="whitespace-nowrap text-slate-600">{formatDateTime(m.updated_at)}</Td>
                </Tr>
              ))}
            </tbody>
          </Table>
          {log.hasNextPage && (
            <div className="border-t border-slate-100 p-3 text-center">
              <Button
                variant="secondary"
                size="sm"
                busy={log.isFetchingNextPage}
                onClick={() => void log.fetchNextPage()}
              >
                Load more
              </Button>
            </div>
          )}
        </>
      )}
    </Card>
  );
}

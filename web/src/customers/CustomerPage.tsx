// One customer: profile, aggregates, consent, recent orders and the messages campaigns sent them; their data
// exported as JSON, or erased.
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { Link, useParams } from 'react-router';

import { api, unwrap } from '@/api/client';
import { ApiProblem, errorMessage } from '@/api/problem';
import { useSession } from '@/auth/session';
import { StatusBadge } from '@/components/Badge';
import { Button } from '@/components/Button';
import { Card, CardHeader, Stat } from '@/components/Card';
import { Dialog } from '@/components/Dialog';
import { PageHeader } from '@/components/Page';
import { EmptyState, ErrorState, Notice, Skeleton } from '@/components/States';
import { Table, Td, Th, Tr } from '@/components/Table';
import { LogReason } from '@/compliance/LogReason';
import { formatCount, formatDateTime, formatMoney, formatRelative } from '@/lib/format';

import { ConsentCard } from './ConsentCard';
import { exportFileName } from './exportFile';

/** Fetches everything held about the customer and hands the browser a JSON file. */
async function downloadExport(externalId: string) {
  const data = await unwrap(
    api.GET('/api/v1/customers/{external_id}/export', { params: { path: { external_id: externalId } } }),
  );
  const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = exportFileName(externalId);
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function Erased({ externalId, back }: { externalId: string; back: ReactNode }) {
  return (
    <>
      <PageHeader title={externalId} description="Erased customer" back={back} />
      <div className="space-y-4" data-testid="customer-erased">
        <Notice tone="success">
          The customer was erased. Their name, e-mail, phone, city, gender, preferred channel, attributes, consent
          records, and the address and text of every message sent to them are deleted.
        </Notice>
        <Card className="p-5 text-sm text-slate-700">
          <p>
            What stays is anonymous: the external ID <span className="font-medium">{externalId}</span> with its totals,
            so revenue and campaign counts stay true. If they had unsubscribed from a channel, their address stays on
            the{' '}
            <Link className="text-indigo-700 underline" to="/suppressions">
              suppression list
            </Link>{' '}
            (masked), so it is never messaged again.
          </p>
          <Link to="/customers" className="mt-4 inline-block font-medium text-indigo-700 hover:underline">
            Back to customers
          </Link>
        </Card>
      </div>
    </>
  );
}

function Messages({ externalId }: { externalId: string }) {
  const messages = useInfiniteQuery({
    queryKey: ['customer-messages', externalId],
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET('/api/v1/customers/{external_id}/messages', {
          params: { path: { external_id: externalId }, query: { cursor: pageParam, limit: 20 } },
          signal,
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const items = messages.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Card>
      <CardHeader title="Messages" description="What campaigns sent this customer, newest first." />
      {messages.isPending ? (
        <div className="p-5">
          <Skeleton rows={3} />
        </div>
      ) : messages.isError ? (
        <div className="p-5">
          <ErrorState
            error={messages.error}
            title={
              messages.error instanceof ApiProblem && messages.error.status === 404
                ? 'Messages are not available'
                : 'Cannot load messages'
            }
            retry={() => void messages.refetch()}
          />
        </div>
      ) : items.length === 0 ? (
        <EmptyState title="No messages yet">Campaigns this customer is part of will show here.</EmptyState>
      ) : (
        <>
          <Table label="Messages sent to this customer">
            <thead className="bg-slate-50">
              <tr>
                <Th>Campaign</Th>
                <Th>Channel</Th>
                <Th>Status</Th>
                <Th>When</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {items.map((m) => (
                <Tr key={m.log_id}>
                  <Td>
                    <Link className="font-medium text-indigo-700 hover:underline" to={`/campaigns/${m.campaign_id}`}>
                      {m.campaign_name}
                    </Link>
                  </Td>
                  <Td>{m.channel ?? '—'}</Td>
                  <Td>
                    <StatusBadge status={m.status} />
                    <LogReason status={m.status} error={m.error} />
                  </Td>
                  <Td className="whitespace-nowrap text-slate-600">{formatDateTime(m.updated_at)}</Td>
                </Tr>
              ))}
            </tbody>
          </Table>
          {messages.hasNextPage && (
            <div className="border-t border-slate-100 p-3 text-center">
              <Button
                variant="secondary"
                size="sm"
                busy={messages.isFetchingNextPage}
                onClick={() => void messages.fetchNextPage()}
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

export default function CustomerPage() {
  const { externalId = '' } = useParams();
  const client = useQueryClient();
  const { can } = useSession();
  const [confirmErase, setConfirmErase] = useState(false);
  const [erased, setErased] = useState(false);
  const exporting = useMutation({ mutationFn: () => downloadExport(externalId) });
  const erase = useMutation({
    mutationFn: () =>
      unwrap(api.DELETE('/api/v1/customers/{external_id}', { params: { path: { external_id: externalId } } })),
    onSuccess: () => {
      setConfirmErase(false);
      setErased(true);
      client.removeQueries({ queryKey: ['customer', externalId] });
      client.removeQueries({ queryKey: ['customer-subscriptions', externalId] });
      client.removeQueries({ queryKey: ['customer-messages', externalId] });
      void client.invalidateQueries({ queryKey: ['customers'] });
      void client.invalidateQueries({ queryKey: ['suppressions'] });
    },
  });
  const customer = useQuery({
    enabled: !erased,
    queryKey: ['customer', externalId],
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/customers/{external_id}', { params: { path: { external_id: externalId } }, signal })),
  });
  const back = (
    <Link to="/customers" className="mb-1 inline-block text-sm text-indigo-700 hover:underline">
      ← Customers
    </Link>
  );
  if (erased) return <Erased externalId={externalId} back={back} />;
  if (customer.isPending)
    return (
      <>
        <PageHeader title="Customer" back={back} />
        <Skeleton rows={6} />
      </>
    );
  if (customer.isError)
    return (
      <>
        <PageHeader title="Customer" back={back} />
        <ErrorState error={customer.error} retry={() => void customer.refetch()} />
      </>
    );
  const c = customer.data;
  const attributes = Object.entries((c.attributes ?? {}) as Record<string, unknown>);
  const profile: Array<[string, string | null | undefined]> = [
    ['External ID', c.external_id],
    ['E-mail', c.email],
    ['Phone', c.phone],
    ['City', c.city],
    ['Gender', c.gender],
    ['Preferred channel', c.preferred_channel],
    ['Customer since', formatDateTime(c.created_at)],
  ];
  return (
    <>
      <PageHeader
        title={c.name || c.external_id}
        description={
          c.has_profile ? undefined : 'Only orders have named this customer so far; the profile has not arrived.'
        }
        back={back}
        actions={
          <>
            <Button variant="secondary" busy={exporting.isPending} onClick={() => exporting.mutate()}>
              Export data
            </Button>
            {can('manage') && (
              <Button
                variant="danger"
                onClick={() => {
                  erase.reset();
                  setConfirmErase(true);
                }}
              >
                Erase customer
              </Button>
            )}
          </>
        }
      />
      {exporting.isError && (
        <p role="alert" className="mb-4 rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
          The export failed: {errorMessage(exporting.error)}
        </p>
      )}
      <div className="grid grid-cols-2 gap-4 lg:grid-cols-4">
        <Stat label="Total spend" value={formatMoney(c.total_spend, c.currency)} />
        <Stat label="Orders" value={formatCount(c.order_count)} />
        <Stat label="Visits" value={formatCount(c.visits)} />
        <Stat label="Last order" value={formatRelative(c.last_order_at)} />
      </div>
      <div className="mt-6 grid gap-6 lg:grid-cols-3">
        <div className="min-w-0 space-y-6 lg:col-span-1">
          <Card className="min-w-0">
            <CardHeader title="Profile" />
            <dl className="divide-y divide-slate-100 px-5">
              {profile.map(([k, v]) => (
                <div key={k} className="flex justify-between gap-4 py-2.5 text-sm">
                  <dt className="text-slate-600">{k}</dt>
                  <dd className="min-w-0 text-right wrap-anywhere text-slate-900">{v || '—'}</dd>
                </div>
              ))}
              {attributes.map(([k, v]) => (
                <div key={k} className="flex justify-between gap-4 py-2.5 text-sm">
                  <dt className="text-slate-600">{k}</dt>
                  <dd className="min-w-0 text-right wrap-anywhere text-slate-900">
                    {typeof v === 'string' ? v : JSON.stringify(v)}
                  </dd>
                </div>
              ))}
            </dl>
          </Card>
          <ConsentCard externalId={c.external_id} />
        </div>
        <div className="min-w-0 space-y-6 lg:col-span-2">
          <Card>
            <CardHeader title="Orders" description="Most recent first (up to 50)." />
            {c.orders.length === 0 ? (
              <EmptyState title="No orders yet" />
            ) : (
              <Table label="Orders">
                <thead className="bg-slate-50">
                  <tr>
                    <Th>Order</Th>
                    <Th>Status</Th>
                    <Th className="text-right">Amount</Th>
                    <Th>Ordered</Th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {c.orders.map((o) => (
                    <Tr key={o.external_id}>
                      <Td className="font-medium">
                        {o.external_id}
                        {o.channel && <span className="ml-2 text-xs text-slate-600">{o.channel}</span>}
                      </Td>
                      <Td>
                        <StatusBadge status={o.status} />
                      </Td>
                      <Td className="text-right whitespace-nowrap tabular-nums">{formatMoney(o.amount, o.currency)}</Td>
                      <Td className="whitespace-nowrap text-slate-600">{formatDateTime(o.ordered_at)}</Td>
                    </Tr>
                  ))}
                </tbody>
              </Table>
            )}
          </Card>
          <Messages externalId={c.external_id} />
        </div>
      </div>
      <Dialog
        open={confirmErase}
        onOpenChange={setConfirmErase}
        title="Erase this customer?"
        description={`Everything personal about “${c.name || c.external_id}” is deleted: profile, attributes, consent records, and the address and text of every message. The external ID and totals stay, anonymous; an address that unsubscribed stays suppressed. This cannot be undone.`}
        footer={
          <>
            {erase.isError && (
              <p role="alert" className="mr-auto text-sm text-red-700">
                {errorMessage(erase.error)}
              </p>
            )}
            <Button variant="secondary" onClick={() => setConfirmErase(false)}>
              Keep customer
            </Button>
            <Button variant="danger" busy={erase.isPending} onClick={() => erase.mutate()}>
              Erase customer
            </Button>
          </>
        }
      />
    </>
  );
}

// Customers: search (name, e-mail, phone, city, external id), a sort, the list's total and cursor pagination,
// all from the server; search and sort live in the URL query so a list can be linked and reloaded.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router';

import { api, unwrap } from '@/api/client';
import { Button, buttonClass } from '@/components/Button';
import { Card } from '@/components/Card';
import { inputClass, SelectField } from '@/components/Field';
import { SearchIcon, UploadIcon, UsersIcon } from '@/components/Icons';
import { PageHeader } from '@/components/Page';
import { EmptyState, ErrorState, Skeleton } from '@/components/States';
import { Table, Td, Th, Tr } from '@/components/Table';
import { formatCount, formatMoney, formatRelative } from '@/lib/format';
import { useDebounced } from '@/lib/useDebounced';

import { ExportCustomersButton } from './ExportButton';
import { parseSort, SORTS, totalWording, type CustomerSort } from './listing';

const PAGE = 25;

function fetchPage(search: string, sort: CustomerSort, cursor: string | undefined, signal: AbortSignal) {
  return unwrap(
    api.GET('/api/v1/customers', {
      params: {
        query: { search: search || undefined, sort: sort === 'newest' ? undefined : sort, cursor, limit: PAGE },
      },
      signal,
    }),
  );
}

export default function CustomersPage() {
  const [params, setParams] = useSearchParams();
  const [text, setText] = useState(params.get('q') ?? '');
  const search = useDebounced(text.trim(), 300);
  const [sort, setSort] = useState<CustomerSort>(() => parseSort(params.get('sort')));
  // Cursors of the pages before this one; the last is this page's. A cursor belongs to one search and sort.
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  useEffect(() => {
    setCursors([]);
    const query: Record<string, string> = {};
    if (search) query.q = search;
    if (sort !== 'newest') query.sort = sort;
    setParams(query, { replace: true });
  }, [search, sort, setParams]);

  const customers = useQuery({
    queryKey: ['customers', search, sort, cursor ?? null],
    queryFn: ({ signal }) => fetchPage(search, sort, cursor, signal),
    placeholderData: keepPreviousData,
  });
  // The total comes with the first page only; on later pages it is read from that page (cached, same key).
  const first = useQuery({
    queryKey: ['customers', search, sort, null],
    queryFn: ({ signal }) => fetchPage(search, sort, undefined, signal),
    placeholderData: keepPreviousData,
  });
  const total = first.data?.total;
  const pages = typeof total === 'number' ? Math.max(1, Math.ceil(total / PAGE)) : null;
  const data = customers.data;

  return (
    <>
      <PageHeader
        title="Customers"
        description="Everyone you have sent in through the API or an import, with their order totals."
        actions={
          <>
            <ExportCustomersButton source={{ search }} filename="customers.csv" />
            <Link className={buttonClass('secondary')} to="/import">
              <UploadIcon width={16} height={16} /> Import CSV
            </Link>
          </>
        }
      />
      <Card>
        <div className="flex flex-wrap items-end gap-3 border-b border-slate-100 p-4">
          <div className="w-full max-w-md min-w-0 flex-1">
            <label htmlFor="customer-search" className="mb-1 block text-sm font-medium text-slate-800">
              Search customers
            </label>
            <div className="relative">
              <SearchIcon
                className="pointer-events-none absolute top-2.5 left-3 text-slate-500"
                width={18}
                height={18}
              />
              <input
                id="customer-search"
                type="search"
                className={`${inputClass} pl-10`}
                placeholder="Name, e-mail, phone, city or ID"
                aria-describedby="customer-search-hint"
                value={text}
                onChange={(e) => setText(e.target.value)}
              />
            </div>
            <p id="customer-search-hint" className="mt-1 text-xs text-slate-600">
              Finds a name, e-mail, phone (written any way, such as 98123 45602), city or customer ID.
            </p>
          </div>
          <SelectField
            label="Sort by"
            fieldClassName="w-full sm:w-56"
            value={sort}
            onChange={(e) => setSort(parseSort(e.target.value))}
          >
            {SORTS.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </SelectField>
          <p
            className="ml-auto self-center text-sm font-medium text-slate-700"
            data-testid="customer-total"
            aria-live="polite"
          >
            {totalWording(first.isPlaceholderData ? null : total, search)}
          </p>
        </div>
        {customers.isPending ? (
          <div className="p-5">
            <Skeleton rows={8} />
          </div>
        ) : customers.isError ? (
          <div className="p-5">
            <ErrorState error={customers.error} retry={() => void customers.refetch()} />
          </div>
        ) : data && data.items.length === 0 ? (
          search ? (
            <EmptyState title={`No customer matches “${search}”`}>
              Try part of a name, an e-mail address, a phone number, a city or an ID.
            </EmptyState>
          ) : (
            <EmptyState
              title="No customers yet"
              icon={<UsersIcon width={32} height={32} />}
              action={
                <Link className={buttonClass('primary')} to="/import">
                  Import a CSV
                </Link>
              }
            >
              Send customers and orders through the API, or import a CSV file.
            </EmptyState>
          )
        ) : (
          data && (
            <>
              <Table label="Customers" aria-busy={customers.isFetching}>
                <thead className="bg-slate-50">
                  <tr>
                    <Th>Customer</Th>
                    <Th>City</Th>
                    <Th className="text-right">Orders</Th>
                    <Th className="text-right">Total spend</Th>
                    <Th>Last order</Th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {data.items.map((c) => (
                    <Tr key={c.external_id}>
                      <Td>
                        <Link
                          className="font-medium text-indigo-700 hover:underline"
                          to={`/customers/${encodeURIComponent(c.external_id)}`}
                        >
                          {c.name || c.external_id}
                        </Link>
                        <p className="text-xs text-slate-600">{c.email ?? c.phone ?? c.external_id}</p>
                      </Td>
                      <Td>{c.city ?? '—'}</Td>
                      <Td className="text-right tabular-nums">{formatCount(c.order_count)}</Td>
                      <Td className="text-right whitespace-nowrap tabular-nums">
                        {formatMoney(c.total_spend, c.currency)}
                      </Td>
                      <Td className="whitespace-nowrap text-slate-600">{formatRelative(c.last_order_at)}</Td>
                    </Tr>
                  ))}
                </tbody>
              </Table>
              <nav aria-label="Pages" className="flex items-center justify-between border-t border-slate-100 px-4 py-3">
                <p className="text-xs text-slate-600">
                  Page {cursors.length + 1}
                  {pages !== null && ` of ${formatCount(pages)}`}
                </p>
                <div className="flex gap-2">
                  <Button
                    variant="secondary"
                    size="sm"
                    disabled={cursors.length === 0}
                    onClick={() => setCursors(cursors.slice(0, -1))}
                  >
                    Previous
                  </Button>
                  <Button
                    variant="secondary"
                    size="sm"
                    disabled={!data.next_cursor}
                    onClick={() => data.next_cursor && setCursors([...cursors, data.next_cursor])}
                  >
                    Next
                  </Button>
                </div>
              </nav>
            </>
          )
        )}
      </Card>
    </>
  );
}

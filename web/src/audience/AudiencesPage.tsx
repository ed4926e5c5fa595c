// Saved segments.
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';

import { api, unwrap } from '@/api/client';
import { buttonClass } from '@/components/Button';
import { Card } from '@/components/Card';
import { FilterIcon, PlusIcon } from '@/components/Icons';
import { PageHeader } from '@/components/Page';
import { ExportCustomersButton } from '@/customers/ExportButton';
import { EmptyState, ErrorState, Skeleton } from '@/components/States';
import { Table, Td, Th, Tr } from '@/components/Table';
import { formatCount, formatRelative } from '@/lib/format';

export default function AudiencesPage() {
  const segments = useQuery({
    queryKey: ['segments'],
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/segments', { signal })),
  });
  const newButton = (
    <Link className={buttonClass('primary')} to="/audiences/new">
      <PlusIcon width={16} height={16} /> New audience
    </Link>
  );
  return (
    <>
      <PageHeader
        title="Audiences"
        description="Saved segments: rules you can reuse for campaigns."
        actions={newButton}
      />
      <Card>
        {segments.isPending ? (
          <div className="p-5">
            <Skeleton rows={4} />
          </div>
        ) : segments.isError ? (
          <div className="p-5">
            <ErrorState error={segments.error} retry={() => void segments.refetch()} />
          </div>
        ) : segments.data.items.length === 0 ? (
          <EmptyState title="No saved audiences yet" icon={<FilterIcon width={32} height={32} />} action={newButton}>
            Build a rule like “spent over ₹10,000 and inactive for 90 days”, see exactly who matches, and save it.
          </EmptyState>
        ) : (
          <Table label="Saved audiences">
            <thead className="bg-slate-50">
              <tr>
                <Th>Name</Th>
                <Th className="text-right">Size</Th>
                <Th>Counted</Th>
                <Th>Changed</Th>
                <Th>
                  <span className="sr-only">Export</span>
                </Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {segments.data.items.map((s) => (
                <Tr key={s.id}>
                  <Td>
                    <Link className="font-medium text-indigo-700 hover:underline" to={`/audiences/${s.id}`}>
                      {s.name}
                    </Link>
                    {s.description && (
                      <p className="mt-0.5 max-w-md truncate text-xs text-slate-600">{s.description}</p>
                    )}
                  </Td>
                  <Td className="text-right tabular-nums">{formatCount(s.size)}</Td>
                  <Td className="whitespace-nowrap text-slate-600">{formatRelative(s.size_counted_at)}</Td>
                  <Td className="whitespace-nowrap text-slate-600">{formatRelative(s.updated_at)}</Td>
                  <Td className="text-right">
                    <ExportCustomersButton
                      source={{ segmentId: s.id }}
                      filename={`audience-${s.id}-customers.csv`}
                      label="Export customers (CSV)"
                      srSuffix={`of “${s.name}”`}
                      size="sm"
                    />
                  </Td>
                </Tr>
              ))}
            </tbody>
          </Table>
        )}
      </Card>
    </>
  );
}

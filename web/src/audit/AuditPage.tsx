// Settings → Audit log (owners and admins): who did what, newest first, in words (./describe), with each
// entry's recorded details behind a disclosure. Older entries page in by the server's cursor.
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { Link } from 'react-router';

import { api, unwrap } from '@/api/client';
import { useSession } from '@/auth/session';
import { Button } from '@/components/Button';
import { Card } from '@/components/Card';
import { PageHeader } from '@/components/Page';
import { EmptyState, ErrorState, Notice, Skeleton } from '@/components/States';
import { Table, Td, Th, Tr } from '@/components/Table';
import { formatDateTime } from '@/lib/format';

import { describeAction, describeActor, describeTarget, type AuditEntry, type Directory } from './describe';

const PAGE_SIZE = 50;

function back() {
  return (
    <Link to="/settings" className="mb-1 inline-block text-sm text-indigo-700 hover:underline">
      ← Settings
    </Link>
  );
}

/** Names for the ids in the log: the members and API keys as the settings page lists them. */
function useDirectory(): Directory {
  const members = useQuery({
    queryKey: ['members'],
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/workspace/members', { signal })),
  });
  const keys = useQuery({
    queryKey: ['api-keys'],
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/api-keys', { signal })),
  });
  return useMemo(
    () => ({
      users: new Map((members.data ?? []).map((m) => [m.user_id, { email: m.email, name: m.name }])),
      keys: new Map((keys.data ?? []).map((k) => [k.id, { label: k.label, prefix: k.prefix }])),
    }),
    [members.data, keys.data],
  );
}

function Details({ details }: { details: AuditEntry['details'] }) {
  if (!details || Object.keys(details).length === 0) return <span className="text-slate-500">—</span>;
  return (
    <details className="max-w-xs">
      <summary className="cursor-pointer text-indigo-700 hover:underline">Details</summary>
      <pre className="mt-1 overflow-x-auto rounded bg-slate-50 p-2 text-xs whitespace-pre-wrap break-all text-slate-800">
        {JSON.stringify(details, null, 2)}
      </pre>
    </details>
  );
}

function Entry({ entry, directory }: { entry: AuditEntry; directory: Directory }) {
  const target = describeTarget(entry.target, directory);
  return (
    <Tr data-action={entry.action}>
      <Td className="whitespace-nowrap text-slate-600">
        <time dateTime={entry.at}>{formatDateTime(entry.at)}</time>
      </Td>
      <Td className="break-words">{describeActor(entry.actor, directory)}</Td>
      <Td>{describeAction(entry, directory)}</Td>
      <Td className="break-all">
        {target.href ? (
          <Link to={target.href} className="text-indigo-700 hover:underline">
            {target.label}
          </Link>
        ) : (
          target.label
        )}
      </Td>
      <Td>
        <Details details={entry.details} />
      </Td>
    </Tr>
  );
}

function Log() {
  const directory = useDirectory();
  const log = useInfiniteQuery({
    queryKey: ['audit'],
    initialPageParam: null as number | null,
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET('/api/v1/audit', {
          params: { query: { limit: PAGE_SIZE, ...(pageParam != null ? { before: pageParam } : {}) } },
          signal,
        }),
      ),
    getNextPageParam: (page) => page.next_before ?? null,
  });
  if (log.isPending) {
    return (
      <div className="p-5">
        <Skeleton rows={5} />
      </div>
    );
  }
  // A failed "Load more" keeps the pages already shown; only a failed first page replaces them.
  if (!log.data) {
    return (
      <div className="p-5">
        <ErrorState error={log.error} retry={() => void log.refetch()} />
      </div>
    );
  }
  const entries = log.data.pages.flatMap((p) => p.items);
  if (entries.length === 0) {
    return (
      <EmptyState title="Nothing recorded yet">Sign-ins, invitations, key changes and launches appear here.</EmptyState>
    );
  }
  return (
    <>
      <Table label="Audit log">
        <thead className="bg-slate-50">
          <tr>
            <Th>Time</Th>
            <Th>Who</Th>
            <Th>What</Th>
            <Th>Target</Th>
            <Th>
              <span className="sr-only">Details</span>
            </Th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {entries.map((entry) => (
            <Entry key={entry.id} entry={entry} directory={directory} />
          ))}
        </tbody>
      </Table>
      <div className="flex items-center justify-between gap-3 border-t border-slate-100 px-5 py-3 text-sm text-slate-600">
        <span>
          {entries.length.toLocaleString('en-US')} {entries.length === 1 ? 'entry' : 'entries'}
          {log.hasNextPage ? ' so far' : ''}
        </span>
        {log.hasNextPage && (
          <Button variant="secondary" size="sm" busy={log.isFetchingNextPage} onClick={() => void log.fetchNextPage()}>
            Load more
          </Button>
        )}
      </div>
      {log.isFetchNextPageError && (
        <div className="px-5 pb-5">
          <ErrorState error={log.error} retry={() => void log.fetchNextPage()} />
        </div>
      )}
    </>
  );
}

export default function AuditPage() {
  const { can } = useSession();
  return (
    <>
      <PageHeader
        title="Audit log"
        description="Who did what in this workspace, newest first. Times are in your time zone."
        back={back()}
      />
      {can('manage') ? (
        <Card>
          <Log />
        </Card>
      ) : (
        <Notice tone="warning">Only owners and admins can read the audit log.</Notice>
      )}
    </>
  );
}

// The suppression list: addresses no marketing message goes to, whichever customer holds them. Entries are
// kept as a hash and a masked form only, so the list shows `p****@example.in`, never the address.
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';

import { api, unwrap, type Schemas } from '@/api/client';
import { ApiProblem, errorMessage } from '@/api/problem';
import { useSession } from '@/auth/session';
import { Badge } from '@/components/Badge';
import { Button } from '@/components/Button';
import { Card, CardBody, CardHeader } from '@/components/Card';
import { Dialog } from '@/components/Dialog';
import { TextField } from '@/components/Field';
import { PageHeader } from '@/components/Page';
import { EmptyState, ErrorState, Skeleton } from '@/components/States';
import { Table, Td, Th, Tr } from '@/components/Table';
import { formatDateTime } from '@/lib/format';

import { sourceLabel } from './consent';

type Suppression = Schemas['SuppressionView'];

/** Entries per page. */
const PAGE_SIZE = 50;

function AddForm() {
  const client = useQueryClient();
  const [address, setAddress] = useState('');
  const [reason, setReason] = useState('');
  const add = useMutation({
    mutationFn: async () => {
      let created = false;
      const entry = await unwrap(
        api
          .POST('/api/v1/suppressions', { body: { address, reason: reason.trim() === '' ? null : reason } })
          .then((result) => {
            created = result.response.status === 201;
            return result;
          }),
      );
      return { entry, created };
    },
    onSuccess: () => {
      setAddress('');
      setReason('');
      void client.invalidateQueries({ queryKey: ['suppressions'] });
    },
  });
  const problem = add.error instanceof ApiProblem ? add.error : null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    add.mutate();
  };
  return (
    <Card>
      <CardHeader
        title="Add an address"
        description="It gets no marketing message from now on, whichever customer holds it."
      />
      <CardBody className="space-y-3">
        <form onSubmit={submit} className="grid gap-3 sm:grid-cols-[1fr_1fr_auto] sm:items-start" noValidate>
          <TextField
            label="Address"
            hint="An e-mail address, or a phone number with + and the country code."
            placeholder="+919876543210"
            autoComplete="off"
            value={address}
            onChange={(e) => setAddress(e.target.value)}
            errors={problem?.messagesFor('address')}
          />
          <TextField
            label="Reason (optional)"
            hint="For your records, e.g. “asked by phone”."
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            errors={problem?.messagesFor('reason')}
          />
          <Button type="submit" className="sm:mt-6" busy={add.isPending} disabled={!address.trim()}>
            Suppress address
          </Button>
        </form>
        {add.isError && !(problem && problem.errors.length) && (
          <p role="alert" className="text-sm text-red-700">
            {errorMessage(add.error)}
          </p>
        )}
        {add.isSuccess && (
          <p role="status" className="text-sm text-emerald-800">
            {add.data.created
              ? `${add.data.entry.masked} is now suppressed.`
              : `${add.data.entry.masked} was already on the list.`}
          </p>
        )}
      </CardBody>
    </Card>
  );
}

export default function SuppressionsPage() {
  const client = useQueryClient();
  const { can } = useSession();
  const write = can('write');
  const [removing, setRemoving] = useState<Suppression | null>(null);
  const list = useInfiniteQuery({
    queryKey: ['suppressions'],
    queryFn: ({ pageParam, signal }) =>
      unwrap(api.GET('/api/v1/suppressions', { params: { query: { cursor: pageParam, limit: PAGE_SIZE } }, signal })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const remove = useMutation({
    mutationFn: (id: number) => unwrap(api.DELETE('/api/v1/suppressions/{id}', { params: { path: { id } } })),
    onSuccess: () => {
      setRemoving(null);
      void client.invalidateQueries({ queryKey: ['suppressions'] });
    },
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <>
      <PageHeader
        title="Suppression list"
        description={
          <>
            Addresses that never get marketing messages: STOP replies, permanent bounces, spam complaints, and the ones
            added here. Only a masked form is kept. Consent rules are on the{' '}
            <Link className="text-indigo-700 underline" to="/settings/compliance">
              Compliance page
            </Link>
            .
          </>
        }
      />
      <div className="space-y-6">
        {write && <AddForm />}
        <Card>
          <CardHeader title="Suppressed addresses" description="Newest first." />
          {list.isPending ? (
            <div className="p-5">
              <Skeleton rows={4} />
            </div>
          ) : list.isError ? (
            <div className="p-5">
              <ErrorState error={list.error} retry={() => void list.refetch()} />
            </div>
          ) : items.length === 0 ? (
            <EmptyState title="No suppressed addresses">
              STOP replies, permanent bounces and spam complaints add addresses here on their own.
            </EmptyState>
          ) : (
            <>
              <Table label="Suppressed addresses">
                <thead className="bg-slate-50">
                  <tr>
                    <Th>Address</Th>
                    <Th>Reason</Th>
                    <Th>Source</Th>
                    <Th>Added</Th>
                    {write && (
                      <Th>
                        <span className="sr-only">Actions</span>
                      </Th>
                    )}
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {items.map((s) => (
                    <Tr key={s.id} data-suppression-id={s.id}>
                      <Td>
                        <p className="font-mono text-sm break-all">{s.masked}</p>
                        <Badge>{s.kind === 'email' ? 'E-mail' : s.kind === 'phone' ? 'Phone' : s.kind}</Badge>
                      </Td>
                      <Td className="max-w-xs break-words">{s.reason}</Td>
                      <Td className="whitespace-nowrap">{sourceLabel(s.source)}</Td>
                      <Td className="whitespace-nowrap text-slate-600">{formatDateTime(s.created_at)}</Td>
                      {write && (
                        <Td className="text-right">
                          <Button
                            variant="ghost"
                            size="sm"
                            className="text-red-700"
                            onClick={() => {
                              remove.reset();
                              setRemoving(s);
                            }}
                          >
                            Remove<span className="sr-only"> {s.masked}</span>
                          </Button>
                        </Td>
                      )}
                    </Tr>
                  ))}
                </tbody>
              </Table>
              {list.hasNextPage && (
                <div className="border-t border-slate-100 p-3 text-center">
                  <Button
                    variant="secondary"
                    size="sm"
                    busy={list.isFetchingNextPage}
                    onClick={() => void list.fetchNextPage()}
                  >
                    Load more
                  </Button>
                </div>
              )}
            </>
          )}
        </Card>
      </div>
      <Dialog
        open={removing !== null}
        onOpenChange={(open) => !open && setRemoving(null)}
        title="Remove from the suppression list?"
        description={
          removing
            ? `${removing.masked} may get marketing messages again, as its customer's consent allows.`
            : undefined
        }
        footer={
          <>
            {remove.isError && (
              <p role="alert" className="mr-auto text-sm text-red-700">
                {errorMessage(remove.error)}
              </p>
            )}
            <Button variant="secondary" onClick={() => setRemoving(null)}>
              Keep it
            </Button>
            <Button variant="danger" busy={remove.isPending} onClick={() => removing && remove.mutate(removing.id)}>
              Remove address
            </Button>
          </>
        }
      />
    </>
  );
}

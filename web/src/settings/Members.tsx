// Members and their roles, and invitations by e-mail.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';

import { api, unwrap, type Schemas } from '@/api/client';
import { ApiProblem, errorMessage } from '@/api/problem';
import { useSession } from '@/auth/session';
import { Badge, StatusBadge } from '@/components/Badge';
import { Button } from '@/components/Button';
import { Card, CardBody, CardHeader } from '@/components/Card';
import { SelectField, TextField } from '@/components/Field';
import { EmptyState, ErrorState, Skeleton } from '@/components/States';
import { Table, Td, Th, Tr } from '@/components/Table';
import { formatRelative } from '@/lib/format';

type Role = Schemas['Role'];
const ROLES: ReadonlyArray<{ value: Role; label: string }> = [
  { value: 'owner', label: 'Owner' },
  { value: 'admin', label: 'Admin' },
  { value: 'member', label: 'Member' },
  { value: 'viewer', label: 'Viewer' },
];

function Invitations() {
  const client = useQueryClient();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('member');
  const invitations = useQuery({
    queryKey: ['invitations'],
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/workspace/invitations', { signal })),
  });
  const invite = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/workspace/invitations', { body: { email, role } })),
    onSuccess: () => {
      setEmail('');
      void client.invalidateQueries({ queryKey: ['invitations'] });
    },
  });
  const withdraw = useMutation({
    mutationFn: (id: number) => unwrap(api.DELETE('/api/v1/workspace/invitations/{id}', { params: { path: { id } } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['invitations'] }),
  });
  const problem = invite.error instanceof ApiProblem ? invite.error : null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    invite.mutate();
  };
  const pending = invitations.data?.filter((i) => i.status === 'pending') ?? [];
  return (
    <Card>
      <CardHeader
        title="Invitations"
        description="The person sees the invitation when signed in with that address and joins with this role by accepting it, within 7 days."
      />
      <CardBody className="space-y-4">
        <form onSubmit={submit} className="flex flex-col gap-3 sm:flex-row sm:items-start" noValidate>
          <TextField
            label="E-mail"
            type="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            errors={problem?.messagesFor('email')}
            fieldClassName="flex-1"
          />
          <SelectField
            label="Role"
            value={role}
            onChange={(e) => setRole(e.target.value as Role)}
            errors={problem?.messagesFor('role')}
          >
            {ROLES.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
          </SelectField>
          <Button type="submit" className="sm:mt-6" busy={invite.isPending} disabled={!email.trim()}>
            Invite
          </Button>
        </form>
        {invite.isError && !(problem && problem.errors.length) && (
          <p role="alert" className="text-sm text-red-700">
            {errorMessage(invite.error)}
          </p>
        )}
        {invite.isSuccess && (
          <p role="status" className="text-sm text-emerald-800">
            Invitation for {invite.data.email} created.
          </p>
        )}
        {invitations.isError && <ErrorState error={invitations.error} />}
        {pending.length > 0 && (
          <ul className="divide-y divide-slate-100 rounded-md ring-1 ring-slate-200">
            {pending.map((i) => (
              <li key={i.id} className="flex flex-wrap items-center justify-between gap-2 px-3 py-2 text-sm">
                <span className="min-w-0 break-all">
                  {i.email} <Badge>{i.role}</Badge>{' '}
                  <span className="text-xs text-slate-600">expires {formatRelative(i.expires_at)}</span>
                </span>
                <Button variant="ghost" size="sm" onClick={() => withdraw.mutate(i.id)}>
                  Withdraw<span className="sr-only"> invitation for {i.email}</span>
                </Button>
              </li>
            ))}
          </ul>
        )}
      </CardBody>
    </Card>
  );
}

export function Members({ manage }: { manage: boolean }) {
  const client = useQueryClient();
  const { me } = useSession();
  const members = useQuery({
    queryKey: ['members'],
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/workspace/members', { signal })),
  });
  const change = useMutation({
    mutationFn: ({ userId, role }: { userId: number; role: Role }) =>
      unwrap(
        api.PATCH('/api/v1/workspace/members/{user_id}', { params: { path: { user_id: userId } }, body: { role } }),
      ),
    onSettled: () => void client.invalidateQueries({ queryKey: ['members'] }),
  });
  const remove = useMutation({
    mutationFn: (userId: number) =>
      unwrap(api.DELETE('/api/v1/workspace/members/{user_id}', { params: { path: { user_id: userId } } })),
    onSettled: () => void client.invalidateQueries({ queryKey: ['members'] }),
  });
  const failure = change.error ?? remove.error;
  return (
    <div className="space-y-6">
      <Card>
        <CardHeader
          title="Members"
          description="Owners and admins manage the workspace; members run campaigns; viewers read."
        />
        {failure && (
          <p role="alert" className="mx-5 mt-3 rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
            {errorMessage(failure)}
          </p>
        )}
        {members.isPending ? (
          <div className="p-5">
            <Skeleton rows={3} />
          </div>
        ) : members.isError ? (
          <div className="p-5">
            <ErrorState error={members.error} retry={() => void members.refetch()} />
          </div>
        ) : members.data.length === 0 ? (
          <EmptyState title="No members" />
        ) : (
          <Table label="Members">
            <thead className="bg-slate-50">
              <tr>
                <Th>Person</Th>
                <Th>Role</Th>
                <Th>Joined</Th>
                <Th>
                  <span className="sr-only">Actions</span>
                </Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {members.data.map((m) => (
                <Tr key={m.user_id}>
                  <Td>
                    <p className="font-medium">
                      {m.name || m.email}
                      {m.user_id === me.id && <span className="ml-1 text-xs text-slate-600">(you)</span>}
                    </p>
                    {m.name && <p className="text-xs text-slate-600">{m.email}</p>}
                  </Td>
                  <Td>
                    {manage ? (
                      <SelectField
                        label={`Role of ${m.email}`}
                        hideLabel
                        value={m.role}
                        onChange={(e) => change.mutate({ userId: m.user_id, role: e.target.value as Role })}
                        className="h-8 py-1"
                      >
                        {ROLES.map((r) => (
                          <option key={r.value} value={r.value}>
                            {r.label}
                          </option>
                        ))}
                      </SelectField>
                    ) : (
                      <StatusBadge status={m.role} />
                    )}
                  </Td>
                  <Td className="whitespace-nowrap text-slate-600">{formatRelative(m.joined_at)}</Td>
                  <Td className="text-right">
                    {manage && m.user_id !== me.id && (
                      <Button
                        variant="ghost"
                        size="sm"
                        className="text-red-700"
                        onClick={() => remove.mutate(m.user_id)}
                      >
                        Remove<span className="sr-only"> {m.email}</span>
                      </Button>
                    )}
                  </Td>
                </Tr>
              ))}
            </tbody>
          </Table>
        )}
      </Card>
      {manage && <Invitations />}
    </div>
  );
}

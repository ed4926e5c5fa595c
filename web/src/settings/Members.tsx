// Members and their roles; invitations (for owners and admins) are in ./Invitations.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { api, unwrap, type Schemas } from '@/api/client';
import { errorMessage } from '@/api/problem';
import { useSession } from '@/auth/session';
import { StatusBadge } from '@/components/Badge';
import { Button } from '@/components/Button';
import { Card, CardHeader } from '@/components/Card';
import { SelectField } from '@/components/Field';
import { EmptyState, ErrorState, Skeleton } from '@/components/States';
import { Table, Td, Th, Tr } from '@/components/Table';
import { formatRelative } from '@/lib/format';

import { Invitations, ROLES } from './Invitations';

type Role = Schemas['Role'];

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

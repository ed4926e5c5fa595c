// Invitations: invite by e-mail (a one-time link to copy, e-mailed when the workspace has its own SMTP), the
// list with each one's status and expiry, revoking a pending one and making a new link for it.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';

import { api, unwrap, type Schemas } from '@/api/client';
import { ApiProblem, errorMessage } from '@/api/problem';
import { StatusBadge } from '@/components/Badge';
import { Button } from '@/components/Button';
import { Card, CardBody, CardHeader } from '@/components/Card';
import { SelectField, TextField } from '@/components/Field';
import { ErrorState, Skeleton } from '@/components/States';
import { Table, Td, Th, Tr } from '@/components/Table';

import { emailOutcome, expiryWording } from './invitations';
import { InviteLink } from './InviteLink';

type Role = Schemas['Role'];
export const ROLES: ReadonlyArray<{ value: Role; label: string }> = [
  { value: 'owner', label: 'Owner' },
  { value: 'admin', label: 'Admin' },
  { value: 'member', label: 'Member' },
  { value: 'viewer', label: 'Viewer' },
];

/** A link just made, with the address it was made for (the answer's `email` is the e-mail's outcome). */
interface Shown {
  address: string;
  created: Schemas['InvitationCreated'];
}

export function Invitations() {
  const client = useQueryClient();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('member');
  const [shown, setShown] = useState<Shown | null>(null);
  const invitations = useQuery({
    queryKey: ['invitations'],
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/workspace/invitations', { signal })),
  });
  const invite = useMutation({
    mutationFn: async (body: { email: string; role: Role }) => ({
      address: body.email.trim(),
      created: await unwrap(api.POST('/api/v1/workspace/invitations', { body })),
    }),
    onSuccess: (made, body) => {
      setShown(made);
      if (body.email === email) setEmail('');
      void client.invalidateQueries({ queryKey: ['invitations'] });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: number) => unwrap(api.DELETE('/api/v1/workspace/invitations/{id}', { params: { path: { id } } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['invitations'] }),
  });
  const problem = invite.error instanceof ApiProblem ? invite.error : null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    invite.mutate({ email, role });
  };
  const failure = revoke.error ?? (invite.isError && !(problem && problem.errors.length) ? invite.error : null);
  const outcome = shown && emailOutcome(shown.created.email_delivery, shown.address, shown.created.email_error);
  return (
    <Card>
      <CardHeader
        title="Invitations"
        description="An invitation is a link for one address, open for 7 days: the person sets a password (or signs in) and joins with the role you chose."
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
        {failure && (
          <p role="alert" className="text-sm text-red-700">
            {errorMessage(failure)}
          </p>
        )}
        {shown && outcome && (
          <InviteLink
            key={shown.created.link}
            address={shown.address}
            link={shown.created.link}
            outcome={outcome}
            onDone={() => setShown(null)}
          />
        )}
      </CardBody>
      {invitations.isPending ? (
        <div className="px-5 pb-5">
          <Skeleton rows={2} />
        </div>
      ) : invitations.isError ? (
        <div className="px-5 pb-5">
          <ErrorState error={invitations.error} retry={() => void invitations.refetch()} />
        </div>
      ) : invitations.data.length === 0 ? (
        <p className="px-5 pb-5 text-sm text-slate-600">No invitations yet.</p>
      ) : (
        <Table label="Invitations">
          <thead className="bg-slate-50">
            <tr>
              <Th>Who</Th>
              <Th>Role</Th>
              <Th>Status</Th>
              <Th>Expiry</Th>
              <Th>
                <span className="sr-only">Actions</span>
              </Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {invitations.data.map((i) => (
              <Tr key={i.id} data-invitation={i.email}>
                <Td className="whitespace-nowrap">{i.email}</Td>
                <Td className="capitalize">{i.role}</Td>
                <Td>
                  <StatusBadge status={i.status} />
                </Td>
                <Td className="whitespace-nowrap text-slate-600">{expiryWording(i)}</Td>
                <Td className="text-right whitespace-nowrap">
                  {i.status !== 'accepted' && (
                    <Button
                      variant="ghost"
                      size="sm"
                      busy={invite.isPending && invite.variables?.email === i.email}
                      onClick={() => invite.mutate({ email: i.email, role: i.role })}
                    >
                      New link<span className="sr-only"> for {i.email}</span>
                    </Button>
                  )}
                  {i.status === 'pending' && (
                    <Button
                      variant="ghost"
                      size="sm"
                      className="text-red-700"
                      busy={revoke.isPending && revoke.variables === i.id}
                      onClick={() => {
                        if (shown?.created.id === i.id) setShown(null);
                        revoke.mutate(i.id);
                      }}
                    >
                      Revoke<span className="sr-only"> the invitation of {i.email}</span>
                    </Button>
                  )}
                </Td>
              </Tr>
            ))}
          </tbody>
        </Table>
      )}
    </Card>
  );
}

// The signed-in person's open invitations, above every page: joining a workspace takes an explicit Accept
// (signing in never joins by itself). Shows nothing when there are none.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { api, unwrap } from '@/api/client';
import { errorMessage } from '@/api/problem';
import { Badge } from '@/components/Badge';
import { Button } from '@/components/Button';
import { formatRelative } from '@/lib/format';

export function PendingInvitations() {
  const client = useQueryClient();
  const invitations = useQuery({
    queryKey: ['me', 'invitations'],
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/auth/invitations', { signal })),
  });
  const refresh = () => {
    // The person's workspaces change on accept: reload who they are, and this list.
    void client.invalidateQueries({ queryKey: ['me'] });
  };
  const accept = useMutation({
    mutationFn: (id: number) => unwrap(api.POST('/api/v1/auth/invitations/{id}/accept', { params: { path: { id } } })),
    onSuccess: refresh,
  });
  const decline = useMutation({
    mutationFn: (id: number) => unwrap(api.POST('/api/v1/auth/invitations/{id}/decline', { params: { path: { id } } })),
    onSuccess: refresh,
  });
  const open = invitations.data ?? [];
  if (open.length === 0) return null;
  const failure = accept.error ?? decline.error;
  return (
    <section aria-labelledby="invitations-title" className="mb-6 rounded-lg bg-sky-50 p-4 ring-1 ring-sky-200">
      <h2 id="invitations-title" className="text-sm font-semibold text-slate-900">
        Invitations
      </h2>
      {failure && (
        <p role="alert" className="mt-2 text-sm text-red-800">
          {errorMessage(failure)}
        </p>
      )}
      <ul className="mt-2 divide-y divide-sky-100">
        {open.map((i) => (
          <li key={i.id} className="flex flex-wrap items-center justify-between gap-2 py-2 text-sm">
            <span className="min-w-0">
              Join <span className="font-medium">{i.workspace_name}</span> as <Badge>{i.role}</Badge>{' '}
              <span className="text-xs text-slate-600">expires {formatRelative(i.expires_at)}</span>
            </span>
            <span className="flex gap-2">
              <Button
                size="sm"
                busy={accept.isPending && accept.variables === i.id}
                onClick={() => accept.mutate(i.id)}
              >
                Accept<span className="sr-only"> the invitation to {i.workspace_name}</span>
              </Button>
              <Button variant="ghost" size="sm" onClick={() => decline.mutate(i.id)}>
                Decline<span className="sr-only"> the invitation to {i.workspace_name}</span>
              </Button>
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

// API keys: create (the key is shown once), list, revoke.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';

import { api, unwrap, type Schemas } from '@/api/client';
import { ApiProblem, errorMessage } from '@/api/problem';
import { Badge } from '@/components/Badge';
import { Button } from '@/components/Button';
import { Card, CardHeader } from '@/components/Card';
import { Dialog } from '@/components/Dialog';
import { TextField } from '@/components/Field';
import { EmptyState, ErrorState, Skeleton } from '@/components/States';
import { Table, Td, Th, Tr } from '@/components/Table';
import { formatRelative } from '@/lib/format';

/** The scopes a key can have, as the API names them. */
const SCOPES: { value: Schemas['ApiKeyBody']['scopes'][number]; label: string; hint: string }[] = [
  { value: 'ingest', label: 'Ingest', hint: 'send customers and orders' },
  { value: 'read', label: 'Read', hint: 'customers, audiences, campaigns' },
  { value: 'campaigns', label: 'Campaigns', hint: 'create and control campaigns' },
  { value: 'all', label: 'All', hint: 'everything, including workspace settings' },
];

type Created = Schemas['CreatedApiKey'];

export function ApiKeys() {
  const client = useQueryClient();
  const keys = useQuery({
    queryKey: ['api-keys'],
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/api-keys', { signal })),
  });
  const [creating, setCreating] = useState(false);
  const [label, setLabel] = useState('');
  const [scopes, setScopes] = useState<Schemas['ApiKeyBody']['scopes']>(['ingest']);
  const [created, setCreated] = useState<Created | null>(null);
  const [copied, setCopied] = useState(false);
  const [revoking, setRevoking] = useState<Schemas['ApiKeyView'] | null>(null);
  const create = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/api-keys', { body: { label, scopes } })),
    onSuccess: (key) => {
      setCreating(false);
      setCreated(key);
      setCopied(false);
      setLabel('');
      void client.invalidateQueries({ queryKey: ['api-keys'] });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: number) => unwrap(api.DELETE('/api/v1/api-keys/{id}', { params: { path: { id } } })),
    onSuccess: () => {
      setRevoking(null);
      void client.invalidateQueries({ queryKey: ['api-keys'] });
    },
  });
  const problem = create.error instanceof ApiProblem ? create.error : null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };

  return (
    <Card>
      <CardHeader
        title="API keys"
        description="Keys let programs send data and read results. Each belongs to this workspace."
        actions={
          <Button
            onClick={() => {
              create.reset();
              setCreating(true);
            }}
          >
            Create key
          </Button>
        }
      />
      {keys.isPending ? (
        <div className="p-5">
          <Skeleton rows={3} />
        </div>
      ) : keys.isError ? (
        <div className="p-5">
          <ErrorState error={keys.error} retry={() => void keys.refetch()} />
        </div>
      ) : keys.data.length === 0 ? (
        <EmptyState title="No API keys">Create one to send customers and orders from your systems.</EmptyState>
      ) : (
        <Table label="API keys">
          <thead className="bg-slate-50">
            <tr>
              <Th>Key</Th>
              <Th>Scopes</Th>
              <Th>Created</Th>
              <Th>Last used</Th>
              <Th>
                <span className="sr-only">Actions</span>
              </Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {keys.data.map((k) => (
              <Tr key={k.id} data-key-prefix={k.prefix}>
                <Td>
                  <p className="font-medium">{k.label || 'Unlabelled key'}</p>
                  <p className="font-mono text-xs text-slate-600">{k.prefix}…</p>
                </Td>
                <Td>
                  <div className="flex flex-wrap gap-1">
                    {k.scopes.map((s) => (
                      <Badge key={s}>{s}</Badge>
                    ))}
                  </div>
                </Td>
                <Td className="whitespace-nowrap text-slate-600">{formatRelative(k.created_at)}</Td>
                <Td className="whitespace-nowrap text-slate-600">
                  {k.last_used_at ? formatRelative(k.last_used_at) : 'Never'}
                </Td>
                <Td className="text-right">
                  {k.revoked_at ? (
                    <Badge tone="danger">Revoked</Badge>
                  ) : (
                    <Button
                      variant="ghost"
                      size="sm"
                      className="text-red-700"
                      onClick={() => {
                        revoke.reset();
                        setRevoking(k);
                      }}
                    >
                      Revoke<span className="sr-only"> {k.label || k.prefix}</span>
                    </Button>
                  )}
                </Td>
              </Tr>
            ))}
          </tbody>
        </Table>
      )}

      <Dialog
        open={creating}
        onOpenChange={setCreating}
        title="Create an API key"
        description="The key is shown once, right after it is created."
      >
        <form onSubmit={submit} className="space-y-4" noValidate>
          <TextField
            label="Label"
            hint="What the key is for, e.g. “Shopify sync”."
            value={label}
            onChange={(e) => setLabel(e.target.value)}
            errors={problem?.messagesFor('label')}
          />
          <fieldset>
            <legend className="text-sm font-medium text-slate-800">Scopes</legend>
            <div className="mt-2 space-y-2">
              {SCOPES.map((s) => (
                <label key={s.value} className="flex items-start gap-2 text-sm">
                  <input
                    type="checkbox"
                    className="mt-0.5 size-4 accent-indigo-600"
                    checked={scopes.includes(s.value)}
                    onChange={() =>
                      setScopes(scopes.includes(s.value) ? scopes.filter((x) => x !== s.value) : [...scopes, s.value])
                    }
                  />
                  <span>
                    <span className="font-medium">{s.label}</span> <span className="text-slate-600">— {s.hint}</span>
                  </span>
                </label>
              ))}
            </div>
            {problem?.under('scopes').map((e, i) => (
              <p key={i} className="mt-1 text-xs font-medium text-red-700">
                {e.message}
              </p>
            ))}
          </fieldset>
          {create.isError && !(problem && problem.errors.length) && (
            <p role="alert" className="text-sm text-red-700">
              {errorMessage(create.error)}
            </p>
          )}
          <div className="flex justify-end gap-2">
            <Button variant="secondary" onClick={() => setCreating(false)}>
              Cancel
            </Button>
            <Button type="submit" busy={create.isPending}>
              Create key
            </Button>
          </div>
        </form>
      </Dialog>

      <Dialog
        open={created !== null}
        onOpenChange={(open) => !open && setCreated(null)}
        title="Your new API key"
        description="Copy it now and keep it somewhere safe. It will not be shown again."
        footer={<Button onClick={() => setCreated(null)}>Done</Button>}
      >
        {created && (
          <div className="space-y-3">
            <label htmlFor="new-key" className="sr-only">
              New API key
            </label>
            <input
              id="new-key"
              readOnly
              value={created.key}
              data-testid="new-api-key"
              className="block w-full rounded-md bg-slate-100 px-3 py-2 font-mono text-xs text-slate-900"
              onFocus={(e) => e.target.select()}
            />
            <Button
              variant="secondary"
              size="sm"
              onClick={() => {
                void navigator.clipboard?.writeText(created.key).then(
                  () => setCopied(true),
                  () => setCopied(false),
                );
              }}
            >
              {copied ? 'Copied' : 'Copy to clipboard'}
            </Button>
            <p className="text-xs text-slate-600">
              Send it as <code>Authorization: Bearer &lt;key&gt;</code>.
            </p>
          </div>
        )}
      </Dialog>

      <Dialog
        open={revoking !== null}
        onOpenChange={(open) => !open && setRevoking(null)}
        title="Revoke this key?"
        description={
          revoking
            ? `Programs using “${revoking.label || revoking.prefix}” stop working at once. This cannot be undone.`
            : undefined
        }
        footer={
          <>
            {revoke.isError && (
              <p role="alert" className="mr-auto text-sm text-red-700">
                {errorMessage(revoke.error)}
              </p>
            )}
            <Button variant="secondary" onClick={() => setRevoking(null)}>
              Keep it
            </Button>
            <Button variant="danger" busy={revoke.isPending} onClick={() => revoking && revoke.mutate(revoking.id)}>
              Revoke key
            </Button>
          </>
        }
      />
    </Card>
  );
}

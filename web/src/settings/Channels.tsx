// How each channel is delivered. The document is the server's own (`GET /api/v1/settings/channels`):
// each channel's settings are edited as they come, secrets stay `[redacted]` unless retyped, and the
// server's messages appear next to the setting they name (`email.port`).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';

import { api, unwrap } from '@/api/client';
import { ApiProblem, errorMessage } from '@/api/problem';
import { Badge } from '@/components/Badge';
import { Button } from '@/components/Button';
import { Card, CardBody, CardHeader } from '@/components/Card';
import { TextField } from '@/components/Field';
import { ErrorState, Notice, Skeleton } from '@/components/States';

type Doc = Record<string, Record<string, unknown>>;
const NAMES: Record<string, string> = { sms: 'SMS', whatsapp: 'WhatsApp', email: 'E-mail' };
const SOURCES: Record<string, string> = {
  workspace: 'This workspace has its own settings.',
  default: "This workspace uses the server's default vendor for every channel.",
  none: 'No delivery settings: campaigns cannot be delivered until they are saved.',
};

function label(key: string): string {
  const text = key.replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function Channels({ manage }: { manage: boolean }) {
  const client = useQueryClient();
  const settings = useQuery({
    queryKey: ['channel-settings'],
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/settings/channels', { signal })),
  });
  const [doc, setDoc] = useState<Doc | null>(null);
  useEffect(() => {
    if (settings.data?.channels) setDoc(structuredClone(settings.data.channels as Doc));
  }, [settings.data]);
  const save = useMutation({
    mutationFn: () => unwrap(api.PUT('/api/v1/settings/channels', { body: doc as Record<string, never> })),
    onSuccess: (saved) => client.setQueryData(['channel-settings'], saved),
  });
  const problem = save.error instanceof ApiProblem ? save.error : null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };

  if (settings.isPending)
    return (
      <Card>
        <CardBody>
          <Skeleton rows={5} />
        </CardBody>
      </Card>
    );
  if (settings.isError) return <ErrorState error={settings.error} retry={() => void settings.refetch()} />;
  const source = settings.data.source;
  return (
    <form onSubmit={submit} className="space-y-6" noValidate>
      <Notice tone={source === 'none' ? 'warning' : 'info'}>{SOURCES[source] ?? source}</Notice>
      {doc &&
        Object.entries(doc).map(([channel, config]) => (
          <Card key={channel}>
            <CardHeader
              title={NAMES[channel] ?? channel}
              actions={<Badge tone="info">{String(config.kind ?? '')}</Badge>}
            />
            <CardBody className="grid gap-4 sm:grid-cols-2">
              {Object.entries(config)
                .filter(([key]) => key !== 'kind')
                .map(([key, value]) => (
                  <TextField
                    key={key}
                    label={label(key)}
                    disabled={!manage}
                    type={typeof value === 'number' ? 'number' : /key|password|secret/.test(key) ? 'password' : 'text'}
                    autoComplete="off"
                    value={value === null || value === undefined ? '' : String(value)}
                    hint={value === '[redacted]' ? 'Kept as it is unless you type a new one.' : undefined}
                    errors={problem?.messagesFor(`${channel}.${key}`)}
                    onChange={(e) => {
                      const raw = e.target.value;
                      const next =
                        typeof value === 'number'
                          ? raw === ''
                            ? null
                            : Number(raw)
                          : raw === '' && value === null
                            ? null
                            : raw;
                      setDoc({ ...doc, [channel]: { ...config, [key]: next } });
                    }}
                  />
                ))}
              {problem?.messagesFor(channel).map((m, i) => (
                <p key={i} className="text-xs font-medium text-red-700 sm:col-span-2">
                  {m}
                </p>
              ))}
            </CardBody>
          </Card>
        ))}
      {manage && doc && (
        <div className="flex flex-wrap items-center justify-end gap-3">
          {save.isError && (
            <p role="alert" className="text-sm text-red-700">
              {problem && problem.errors.length ? 'Not saved: see the marked settings.' : errorMessage(save.error)}
            </p>
          )}
          {save.isSuccess && (
            <p role="status" className="text-sm text-emerald-800">
              Saved.
            </p>
          )}
          <Button type="submit" busy={save.isPending}>
            Save channel settings
          </Button>
        </div>
      )}
    </form>
  );
}

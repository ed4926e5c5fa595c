// How each channel is delivered, in plain words: per channel the server's default sender, a messaging
// vendor's HTTP API or (e-mail) an SMTP relay, saved one channel at a time. The PUT takes the whole
// document, so saving one channel sends the others exactly as loaded (those on the default as `{"kind":
// "default"}`, so they keep following it); see channelsForm.ts.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';

import { api, unwrap } from '@/api/client';
import { ApiProblem, errorMessage } from '@/api/problem';
import { Card, CardBody } from '@/components/Card';
import { ErrorState, Notice, Skeleton } from '@/components/States';

import { ChannelCard } from './ChannelCard';
import {
  CHANNEL_LABELS,
  CHANNELS,
  formFromView,
  hasServerDefault,
  settingsDocument,
  type ChannelName,
  type ChannelsForm,
} from './channelsForm';

const SOURCES: Record<string, string> = {
  workspace: 'Each channel below says how this workspace’s messages are sent.',
  default: 'Every channel goes through the sender this server’s operator set up. You can choose your own per channel.',
  none: 'No delivery settings yet: campaigns cannot be delivered until each channel is set up below.',
};

export function Channels({ manage }: { manage: boolean }) {
  const client = useQueryClient();
  const settings = useQuery({
    queryKey: ['channel-settings'],
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/settings/channels', { signal })),
  });
  const [form, setForm] = useState<ChannelsForm | null>(null);
  // Filled once from the first answer; after a save only the saved channel is replaced, so unsaved edits on
  // the other cards stay.
  useEffect(() => {
    if (settings.data && !form) setForm(formFromView(settings.data));
  }, [settings.data, form]);
  const save = useMutation({
    mutationFn: (channel: ChannelName) => {
      const loaded = formFromView(settings.data!);
      const body = settingsDocument(loaded, channel, form![channel]);
      return unwrap(api.PUT('/api/v1/settings/channels', { body: body as Record<string, never> }));
    },
    onSuccess: (saved, channel) => {
      client.setQueryData(['channel-settings'], saved);
      setForm((current) => current && { ...current, [channel]: formFromView(saved)[channel] });
    },
  });
  const problem = save.error instanceof ApiProblem ? save.error : null;

  if (settings.isPending)
    return (
      <Card>
        <CardBody>
          <Skeleton rows={5} />
        </CardBody>
      </Card>
    );
  if (settings.isError) return <ErrorState error={settings.error} retry={() => void settings.refetch()} />;
  const view = settings.data;
  const loaded = formFromView(view);
  const offerDefault = hasServerDefault(view);

  /** Why the save of `channel` failed, if it was the last one tried. */
  const failure = (channel: ChannelName): string | null => {
    if (!save.isError || save.variables !== channel) return null;
    if (!problem || problem.errors.length === 0) return `Not saved: ${errorMessage(save.error)}`;
    const named = CHANNELS.filter((c) => problem.under(c).length > 0);
    const others = named.filter((c) => c !== channel).map((c) => CHANNEL_LABELS[c]);
    if (others.length && !named.includes(channel))
      return `Not saved: see the marked settings of ${others.join(' and ')}.`;
    return 'Not saved: see the marked settings.';
  };

  return (
    <div className="space-y-6">
      <Notice tone={view.source === 'none' ? 'warning' : 'info'}>{SOURCES[view.source] ?? view.source}</Notice>
      {form &&
        CHANNELS.map((channel) => (
          <ChannelCard
            key={channel}
            channel={channel}
            form={form[channel]}
            savedMode={view.source === 'none' ? 'none' : loaded[channel].mode}
            offerDefault={offerDefault}
            receiptUrl={view.receipt_urls[channel]}
            manage={manage}
            onChange={(next) => setForm({ ...form, [channel]: next })}
            onSave={() => save.mutate(channel)}
            saving={save.isPending && save.variables === channel}
            saved={save.isSuccess && save.variables === channel}
            failure={failure(channel)}
            problem={problem}
          />
        ))}
    </div>
  );
}

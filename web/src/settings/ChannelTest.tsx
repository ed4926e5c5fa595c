// "Send a test message" through one channel as saved: the provider's answer in plain words ("Sent", or
// "Failed:" and its reason), so a wrong key or address shows here rather than in a campaign.
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';

import { api, unwrap } from '@/api/client';
import { ApiProblem, errorMessage } from '@/api/problem';
import { Button } from '@/components/Button';
import { TextField } from '@/components/Field';

import type { ChannelName } from './channelsForm';

export function ChannelTest({ channel }: { channel: ChannelName }) {
  const [to, setTo] = useState('');
  const test = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/settings/channels/test', { body: { channel, to: to.trim() } })),
  });
  const problem = test.error instanceof ApiProblem ? test.error : null;
  const toErrors = problem?.messagesFor('to');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    test.mutate();
  };
  const email = channel === 'email';
  return (
    <form onSubmit={submit} noValidate className="border-t border-slate-100 px-5 py-4">
      <div className="flex flex-wrap items-end gap-3">
        <TextField
          label="Send a test message to"
          fieldClassName="w-full max-w-sm min-w-0 flex-1"
          type={email ? 'email' : 'tel'}
          autoComplete="off"
          placeholder={email ? 'you@yourbrand.com' : '+919812345678'}
          value={to}
          onChange={(e) => setTo(e.target.value)}
          hint={
            email
              ? 'An e-mail address. The test uses the saved settings: save your changes first.'
              : 'A phone number with its country code. The test uses the saved settings: save your changes first.'
          }
          errors={toErrors}
        />
        <Button type="submit" variant="secondary" busy={test.isPending} disabled={!to.trim()}>
          Send test
        </Button>
      </div>
      <div aria-live="polite" data-testid={`channel-${channel}-test-result`} className="mt-2 text-sm">
        {test.isSuccess &&
          (test.data.status === 'sent' ? (
            <p className="font-medium text-emerald-800">Sent</p>
          ) : (
            <p className="font-medium text-red-700">Failed: {test.data.error || 'the provider gave no reason'}</p>
          ))}
        {test.isError && !(toErrors && toErrors.length) && (
          <p className="font-medium text-red-700">Not sent: {errorMessage(test.error)}</p>
        )}
      </div>
    </form>
  );
}

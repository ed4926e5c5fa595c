// "Send a test": the campaign's message, rendered for the example customer or one the marketer names, sent
// to up to ten of their own addresses through the workspace's channels (`POST /api/v1/campaigns/{id}/test`).
// Each address shows its outcome, or the server's message for it (`to[i]`), on its own line.
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';

import { api, unwrap, type Schemas } from '@/api/client';
import { ApiProblem, errorMessage } from '@/api/problem';
import { Badge } from '@/components/Badge';
import { Button } from '@/components/Button';
import { Dialog } from '@/components/Dialog';
import { TextAreaField, TextField } from '@/components/Field';
import { cx } from '@/lib/cx';

import { channelLabel } from './shared';
import { addressHint, listProblem, parseAddresses, placeErrors } from './testSend';

type Result = Schemas['TestSendResult'];

export function TestSendDialog({
  campaignId,
  channel,
  open,
  onOpenChange,
}: {
  campaignId: number;
  channel: string;
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const [text, setText] = useState('');
  const [customer, setCustomer] = useState('');
  const send = useMutation({
    mutationFn: (body: { to: string[]; customer_external_id?: string }) =>
      unwrap(api.POST('/api/v1/campaigns/{id}/test', { params: { path: { id: campaignId } }, body })),
  });
  const addresses = parseAddresses(text);
  const tooMany = listProblem(addresses);
  const problem = send.error instanceof ApiProblem && send.error.status === 422 ? send.error : null;
  const placed = placeErrors(problem);
  // The answer belongs to the list as it was sent: an address still in the box keeps its line's outcome.
  const sentTo = send.variables?.to ?? [];
  const outcome = (address: string): { errors?: string[]; result?: Result } => {
    const i = sentTo.indexOf(address);
    if (i < 0) return {};
    return { errors: placed.byIndex.get(i), result: send.data?.results[i] };
  };
  const anyAddressError = addresses.some((a) => outcome(a).errors?.length);
  const listErrors = [
    ...(tooMany ? [tooMany] : []),
    ...placed.list,
    ...(anyAddressError ? ['Some addresses were refused: see the marked lines below.'] : []),
  ];

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (addresses.length === 0 || tooMany) return;
    const id = customer.trim();
    send.mutate({ to: addresses, ...(id ? { customer_external_id: id } : {}) });
  };
  const close = (next: boolean) => {
    if (!next) send.reset();
    onOpenChange(next);
  };

  return (
    <Dialog
      open={open}
      onOpenChange={close}
      title="Send a test"
      description="A test is not part of the campaign: it is not counted and not logged."
      footer={
        <>
          <Button variant="secondary" onClick={() => close(false)}>
            Close
          </Button>
          <Button
            type="submit"
            form="test-send-form"
            busy={send.isPending}
            disabled={addresses.length === 0 || Boolean(tooMany)}
          >
            Send test
          </Button>
        </>
      }
    >
      <form id="test-send-form" className="space-y-4" onSubmit={submit} noValidate>
        <TextAreaField
          label="Send to"
          hint={addressHint(channel)}
          errors={listErrors.length ? listErrors : undefined}
          value={text}
          rows={4}
          className="font-mono text-xs"
          spellCheck={false}
          autoComplete="off"
          onChange={(e) => setText(e.target.value)}
        />
        {addresses.length > 0 && (
          <ul
            aria-label="Test addresses"
            aria-live="polite"
            className="divide-y divide-slate-100 rounded-md ring-1 ring-slate-200"
            data-testid="test-addresses"
          >
            {addresses.map((address, index) => {
              const { errors, result } = outcome(address);
              const state = errors?.length ? 'invalid' : (result?.status ?? 'ready');
              return (
                <li
                  key={address}
                  data-address={address}
                  data-state={state}
                  className={cx('px-3 py-2 text-sm', index >= 10 && 'bg-amber-50')}
                >
                  <div className="flex flex-wrap items-center justify-between gap-2">
                    <span className="min-w-0 font-mono text-xs break-all text-slate-800">{address}</span>
                    {result && (
                      <span className="inline-flex items-center gap-2 text-xs text-slate-600">
                        {channelLabel(result.channel)}
                        <Badge tone={result.status === 'sent' ? 'success' : 'danger'}>
                          {result.status === 'sent' ? 'Sent' : 'Failed'}
                        </Badge>
                      </span>
                    )}
                  </div>
                  {errors?.length ? (
                    <p className="mt-1 text-xs font-medium text-red-700" data-testid="address-error">
                      {errors.join('; ')}
                    </p>
                  ) : result?.status !== 'sent' && result?.error ? (
                    <p className="mt-1 text-xs text-red-700" data-testid="address-error">
                      {result.error}
                    </p>
                  ) : null}
                </li>
              );
            })}
          </ul>
        )}
        <TextField
          label="Render for customer (optional)"
          hint="A customer ID: the message is filled in with their details. Without one, the example customer's."
          errors={placed.customer.length ? placed.customer : undefined}
          value={customer}
          autoComplete="off"
          onChange={(e) => setCustomer(e.target.value)}
        />
        {send.isError && !problem && (
          <p role="alert" className="text-sm font-medium text-red-700">
            {errorMessage(send.error)}
          </p>
        )}
        {placed.other.length > 0 && (
          <p role="alert" className="text-sm font-medium text-red-700">
            {placed.other.join('; ')}
          </p>
        )}
        {send.data && (
          <p role="status" className="text-sm text-slate-700">
            {summary(send.data.results)}
          </p>
        )}
      </form>
    </Dialog>
  );
}

function summary(results: readonly Result[]): string {
  const sent = results.filter((r) => r.status === 'sent').length;
  const failed = results.length - sent;
  if (failed === 0) return sent === 1 ? 'The test was sent.' : `All ${sent} tests were sent.`;
  return `${sent} sent, ${failed} failed: see each address.`;
}

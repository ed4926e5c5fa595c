// The launch dialog's reach: who will get the message on each channel and why the rest are skipped.
// Informative only: the send button does not wait for it, and consent is decided again for each message.
import type { UseQueryResult } from '@tanstack/react-query';

import { ErrorState, Spinner } from '@/components/States';

import type { Reach } from './reach';
import { ReachLines } from './ReachLines';
import type { SendChannel } from './shared';

export function CampaignReach({ reach, channel }: { reach: UseQueryResult<Reach>; channel: SendChannel }) {
  let body;
  if (reach.isFetching) {
    body = <Spinner label="Working out who will get it…" />;
  } else if (reach.isError) {
    body = (
      <ErrorState title="Could not work out who will get it" error={reach.error} retry={() => void reach.refetch()} />
    );
  } else if (reach.data) {
    body = <ReachLines reach={reach.data} channel={channel} />;
  } else {
    body = null;
  }
  return (
    <section
      aria-label="Who will get it"
      aria-live="polite"
      aria-busy={reach.isFetching}
      data-testid="campaign-reach"
      className="space-y-2 rounded-md bg-slate-50 px-3 py-2 text-sm text-slate-700"
    >
      {body}
      <p className="text-xs text-slate-600">Consent is checked again for each message when it is sent.</p>
    </section>
  );
}

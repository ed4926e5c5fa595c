// The launch dialog's reach: who will get the message on each channel and why the rest are skipped.
// Informative only: the send button does not wait for it, and consent is decided again for each message.
import type { UseQueryResult } from '@tanstack/react-query';
import { Fragment } from 'react';

import { ErrorState, Spinner } from '@/components/States';

import { describeReach, type Reach } from './reach';
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
    const summary = describeReach(reach.data, channel);
    body = (
      <>
        {summary.empty && <p>{summary.empty}</p>}
        {summary.lines.length > 0 && (
          <ul className="space-y-1">
            {summary.lines.map((line) => (
              <li key={line.channel} data-reach-channel={line.channel}>
                <span className="font-medium text-slate-900">{line.label}:</span>{' '}
                {line.parts.map((part, i) => (
                  <Fragment key={part.key}>
                    {i > 0 && ' · '}
                    <span className="tabular-nums" data-reach={part.key} data-count={part.count}>
                      {part.text}
                    </span>
                  </Fragment>
                ))}
              </li>
            ))}
          </ul>
        )}
        {summary.noAddress && (
          <p className="tabular-nums" data-reach="no_address" data-count={reach.data.no_address}>
            {summary.noAddress}
          </p>
        )}
        {summary.total && (
          <p className="font-medium text-slate-900 tabular-nums" data-reach="total" data-count={reach.data.reachable}>
            {summary.total}
          </p>
        )}
      </>
    );
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

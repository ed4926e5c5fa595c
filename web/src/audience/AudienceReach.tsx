// The preview's Reach section: for a channel chosen here, how many of the audience a campaign could reach and
// why the rest would be skipped (no address, unsubscribed, suppressed, capped), in the launch dialog's words.
import { useId, useState } from 'react';

import type { SendChannel } from '@/campaigns/shared';
import { ReachLines } from '@/campaigns/ReachLines';
import { inputClass } from '@/components/Field';
import { ErrorState } from '@/components/States';
import { cx } from '@/lib/cx';

import type { AudiencePreview } from './usePreview';
import { useAudienceReach } from './useReach';

const REACH_CHANNELS: ReadonlyArray<{ value: SendChannel; label: string }> = [
  { value: 'preferred', label: 'Preferred channel' },
  { value: 'sms', label: 'SMS' },
  { value: 'email', label: 'E-mail' },
  { value: 'whatsapp', label: 'WhatsApp' },
];

export function AudienceReach({ audience }: { audience: AudiencePreview }) {
  const [channel, setChannel] = useState<SendChannel>('preferred');
  const { state, data, error, retry } = useAudienceReach(audience, channel);
  const id = useId();
  return (
    <section aria-labelledby={`${id}-title`} data-testid="audience-reach" data-state={state} className="space-y-2">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h3 id={`${id}-title`} className="text-xs font-semibold tracking-wide text-slate-600 uppercase">
          Reach
        </h3>
        <div className="flex items-center gap-2">
          <label id={`${id}-label`} htmlFor={`${id}-channel`} className="text-xs text-slate-600">
            Channel
          </label>
          <select
            id={`${id}-channel`}
            aria-labelledby={`${id}-title ${id}-label`}
            className={cx(inputClass, 'w-auto! py-1! pr-8')}
            value={channel}
            onChange={(e) => setChannel(e.target.value as SendChannel)}
          >
            {REACH_CHANNELS.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div
        aria-live="polite"
        aria-busy={state === 'checking'}
        data-testid="audience-reach-result"
        className="space-y-1 text-sm text-slate-700"
      >
        {state === 'checking' && (
          <p className="inline-flex items-center gap-2 text-sm text-slate-600">
            <span
              className="size-4 animate-spin rounded-full border-2 border-indigo-600 border-r-transparent"
              aria-hidden
            />
            Checking reach…
          </p>
        )}
        {state === 'error' && <ErrorState title="Could not check the reach" error={error} retry={retry} />}
        {data && state !== 'error' && (
          <div className={cx('space-y-1 transition-opacity', state === 'checking' && 'opacity-60')}>
            <ReachLines reach={data.reach} channel={data.channel} wording="audience" />
          </div>
        )}
      </div>
      {state !== 'off' && (
        <p className="text-xs text-slate-600">
          Consent as it stands now, without a topic; a campaign checks it again for each message.
        </p>
      )}
    </section>
  );
}

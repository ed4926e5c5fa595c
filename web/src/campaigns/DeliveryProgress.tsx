// Where the campaign is, in one line, over a bar of its outcomes (sent, failed, skipped) against its audience.
import { statusWording } from './status';
import type { Campaign } from './shared';

export function DeliveryProgress({ campaign: c }: { campaign: Campaign }) {
  const { headline, percent } = statusWording(c);
  const share = (n: number) => `${c.stats.audience ? (n / c.stats.audience) * 100 : 0}%`;
  const bar = (
    <div className="flex h-full">
      <div className="bg-emerald-600 transition-all" style={{ width: share(c.stats.sent) }} />
      <div className="bg-red-600 transition-all" style={{ width: share(c.stats.failed) }} />
      <div className="bg-amber-400 transition-all" style={{ width: share(c.stats.skipped) }} />
    </div>
  );
  return (
    <div>
      <p id="progress-label" className="text-sm font-medium text-slate-800" data-testid="status-line">
        {headline}
      </p>
      {c.status !== 'draft' &&
        (percent === null ? (
          // No percentage where one would mislead (not started, or stopped): the bar alone, for the eye.
          <div className="mt-2 h-2.5 overflow-hidden rounded-full bg-slate-100" aria-hidden>
            {bar}
          </div>
        ) : (
          <div
            className="mt-2 h-2.5 overflow-hidden rounded-full bg-slate-100"
            role="progressbar"
            aria-labelledby="progress-label"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={percent}
          >
            {bar}
          </div>
        ))}
    </div>
  );
}

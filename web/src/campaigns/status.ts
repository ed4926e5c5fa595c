// What a campaign page says about where a campaign is: one line per status, and whether a percentage of the
// audience means anything (it does not before launch, nor once a campaign was stopped).
import { formatCount, formatDateTime } from '@/lib/format';

import type { Campaign } from './shared';
import { progress } from './shared';

export interface StatusWording {
  /** The line above the progress bar. */
  headline: string;
  /** Whole percent of the audience with an outcome, or null where a percentage would mislead. */
  percent: number | null;
}

export function statusWording(c: Pick<Campaign, 'status' | 'stats' | 'send_at'>): StatusWording {
  const { stats } = c;
  const percent = Math.round(progress(stats) * 100);
  switch (c.status) {
    case 'draft':
      return { headline: 'Draft — nothing sent yet', percent: null };
    case 'scheduled':
      return { headline: `Scheduled for ${formatDateTime(c.send_at)}`, percent: null };
    case 'running':
      return { headline: `Delivering… ${percent}%`, percent };
    case 'paused':
      return {
        headline: `Paused — ${formatCount(stats.sent)} of ${formatCount(stats.audience)} sent; ${formatCount(stats.pending)} waiting`,
        percent,
      };
    case 'cancelled':
      return {
        headline: `Cancelled — ${formatCount(stats.sent)} ${stats.sent === 1 ? 'was' : 'were'} sent before it was stopped; ${formatCount(stats.skipped)} skipped`,
        percent: null,
      };
    case 'completed':
      return { headline: 'Completed', percent };
  }
}

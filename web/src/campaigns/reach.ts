// A campaign's reach (`POST /api/v1/campaigns/reach`) as the launch dialog and the audience builder say it:
// per channel, how many will get the message (or, in the builder, where there is no message yet, how many
// are reachable) and how many consent skips and why (in the campaign log's words), and how many have no
// address. Zero counts are left out.
import type { Schemas } from '@/api/client';
import { SKIP_REASONS, skipReasonLabel } from '@/compliance/consent';
import { formatCount } from '@/lib/format';

import { channelLabel, type SendChannel } from './shared';

export type Reach = Schemas['Reach'];
export type ReachBody = Schemas['ReachBody'];

/** One number of a line: `reachable`, or a skip reason (`unsubscribed`, …). */
export interface ReachPart {
  key: string;
  count: number;
  text: string;
}

export interface ReachLine {
  /** The channel the messages go out on (`sms`, `email`, `whatsapp`). */
  channel: string;
  label: string;
  parts: ReachPart[];
  /** The whole line: "SMS: 9,412 will get it · Unsubscribed: 120 · On the suppression list: 31". */
  text: string;
}

export interface ReachSummary {
  lines: ReachLine[];
  /** "214 have no address for this channel", or null when everyone has one. */
  noAddress: string | null;
  /** "In all: 9,500 of 10,000 will get it", for a campaign spread over several channels; otherwise null. */
  total: string | null;
  /** "Nobody matches this audience now.", when the audience is empty. */
  empty: string | null;
}

/** `campaign`: "will get it", for a message about to be sent; `audience`: "reachable", for an audience. */
export type ReachWording = 'campaign' | 'audience';

const KNOWN = SKIP_REASONS.map((r) => r.value);

/** Skip reasons in the log's order (unknown ones last, alphabetically), without zero counts. */
function skippedParts(skipped: Record<string, number>): ReachPart[] {
  const reasons = Object.keys(skipped)
    .filter((reason) => (skipped[reason] ?? 0) > 0)
    .sort((a, b) => {
      const ia = KNOWN.indexOf(a);
      const ib = KNOWN.indexOf(b);
      if (ia !== ib) return (ia === -1 ? KNOWN.length : ia) - (ib === -1 ? KNOWN.length : ib);
      return a < b ? -1 : a > b ? 1 : 0;
    });
  return reasons.map((reason) => {
    const count = skipped[reason]!;
    return { key: reason, count, text: `${skipReasonLabel(reason) ?? `Skipped (${reason})`}: ${formatCount(count)}` };
  });
}

export function describeReach(reach: Reach, channel: SendChannel, wording: ReachWording = 'campaign'): ReachSummary {
  const gets = wording === 'campaign' ? 'will get it' : 'reachable';
  const lines: ReachLine[] = [];
  for (const c of reach.channels) {
    const skipped = skippedParts(c.skipped);
    if (c.reachable === 0 && skipped.length === 0) continue;
    const label = channelLabel(c.channel ?? null);
    const parts: ReachPart[] = [
      { key: 'reachable', count: c.reachable, text: `${formatCount(c.reachable)} ${gets}` },
      ...skipped,
    ];
    lines.push({
      channel: c.channel ?? '',
      label,
      parts,
      text: `${label}: ${parts.map((p) => p.text).join(' · ')}`,
    });
  }
  const n = reach.no_address;
  const noAddress =
    n > 0
      ? `${formatCount(n)} ${n === 1 ? 'has' : 'have'} no address for ${channel === 'preferred' ? 'any channel' : 'this channel'}`
      : null;
  const total =
    lines.length > 1 ? `In all: ${formatCount(reach.reachable)} of ${formatCount(reach.matched)} ${gets}` : null;
  const empty = reach.matched === 0 ? 'Nobody matches this audience now.' : null;
  return { lines, noAddress, total, empty };
}

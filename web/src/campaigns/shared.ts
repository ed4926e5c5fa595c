import type { Schemas } from '@/api/client';

export type Campaign = Schemas['CampaignView'];
export type SendChannel = Schemas['SendChannel'];

/** The channels a campaign can use, as the spec's `SendChannel` names them, with their display names. */
export const CHANNELS: ReadonlyArray<{ value: SendChannel; label: string }> = [
  { value: 'sms', label: 'SMS' },
  { value: 'whatsapp', label: 'WhatsApp' },
  { value: 'email', label: 'E-mail' },
  { value: 'preferred', label: "Each customer's preferred channel" },
];

export function channelLabel(channel: string | null | undefined): string {
  if (!channel) return '—';
  return CHANNELS.find((c) => c.value === channel)?.label ?? channel;
}

/** Whether a campaign may still change on its own (so pages keep asking for its numbers). */
export function isLive(c: Pick<Campaign, 'status' | 'stats'>): boolean {
  switch (c.status) {
    case 'running':
    case 'scheduled':
    case 'paused':
      return true;
    case 'completed':
      // Receipts can still arrive for messages handed to the vendor.
      return c.stats.pending > 0;
    case 'draft':
    case 'cancelled':
      return false;
  }
}

/** Share of the audience with an outcome (sent, failed or skipped), 0..1. */
export function progress(stats: Campaign['stats']): number {
  if (stats.audience <= 0) return 0;
  return Math.min(1, (stats.sent + stats.failed + stats.skipped) / stats.audience);
}

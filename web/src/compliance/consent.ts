// Consent as a person reads it: statuses, where a change came from, what a history entry is about, and why
// a campaign skipped or held a message. The values are the server's (`SubscriptionStatus`, `ConsentSource`,
// the log's `error`); only their wording is decided here.
import type { Schemas } from '@/api/client';
import type { Tone } from '@/components/Badge';

export type SubscriptionStatus = Schemas['SubscriptionStatus'];
export type ConsentSource = Schemas['ConsentSource'];
export type Subscriptions = Schemas['Subscriptions'];
export type SubscriptionView = Schemas['SubscriptionView'];

/** The channels consent is recorded for, as the API names them. */
export const CONSENT_CHANNELS = [
  { value: 'email', label: 'E-mail' },
  { value: 'sms', label: 'SMS' },
  { value: 'whatsapp', label: 'WhatsApp' },
] as const;
export type ConsentChannel = (typeof CONSENT_CHANNELS)[number]['value'];

export const STATUSES: ReadonlyArray<{ value: SubscriptionStatus; label: string }> = [
  { value: 'subscribed', label: 'Subscribed' },
  { value: 'unsubscribed', label: 'Unsubscribed' },
  { value: 'pending', label: 'Pending confirmation' },
];

export function statusLabel(status: SubscriptionStatus | null | undefined): string {
  if (!status) return 'None recorded';
  return STATUSES.find((s) => s.value === status)?.label ?? status;
}

export function consentTone(status: SubscriptionStatus | null | undefined): Tone {
  switch (status) {
    case 'subscribed':
      return 'success';
    case 'unsubscribed':
      return 'danger';
    case 'pending':
      return 'warning';
    default:
      return 'neutral';
  }
}

const SOURCES: Record<ConsentSource, string> = {
  api: 'API',
  import: 'CSV import',
  unsubscribe_link: 'Unsubscribe link',
  reply: 'Reply (STOP/START)',
  preferences: 'Preferences page',
  admin: 'Changed in Converge',
  bounce: 'Permanent bounce',
  complaint: 'Spam complaint',
};

export function sourceLabel(source: string): string {
  return SOURCES[source as ConsentSource] ?? source;
}

/** A history entry's subject: `email` → "E-mail", `topic:offers` → "Topic “offers”". */
export function subjectLabel(subject: string): string {
  if (subject.startsWith('topic:')) return `Topic “${subject.slice('topic:'.length)}”`;
  return CONSENT_CHANNELS.find((c) => c.value === subject)?.label ?? subject;
}

/** A channel's recorded consent, or null (none recorded). */
export function channelConsent(subs: Subscriptions, channel: ConsentChannel): SubscriptionView | null {
  return subs[channel] ?? null;
}

/**
 * The topics to show for a customer: the workspace's topics in their order, then any the customer has a
 * record for that the workspace no longer lists. A topic without a record was never left (`null`).
 */
export function topicRows(
  subs: Subscriptions,
  workspaceTopics: readonly string[],
): Array<{ topic: string; view: SubscriptionView | null; listed: boolean }> {
  const rows = workspaceTopics.map((topic) => ({ topic, view: subs.topics[topic] ?? null, listed: true }));
  for (const [topic, view] of Object.entries(subs.topics)) {
    if (!workspaceTopics.includes(topic)) rows.push({ topic, view, listed: false });
  }
  return rows;
}

/** The body of `PUT /api/v1/customers/{external_id}/subscriptions` for one change. */
export function subscriptionChange(
  kind: 'channel' | 'topic',
  name: string,
  status: SubscriptionStatus,
): Schemas['SubscriptionsChange'] {
  return kind === 'channel' ? { channels: { [name]: status } } : { topics: { [name]: status } };
}

/** The field a 422 names for that change (`channels.email`, `topics.offers`). */
export function changeField(kind: 'channel' | 'topic', name: string): string {
  return `${kind === 'channel' ? 'channels' : 'topics'}.${name}`;
}

/** Why consent skips a message (the log's `error` of a SKIPPED row, the reach's `skipped` keys), in words. */
export const SKIP_REASONS: ReadonlyArray<{ value: string; label: string }> = [
  { value: 'unsubscribed', label: 'Unsubscribed' },
  { value: 'suppressed', label: 'On the suppression list' },
  { value: 'pending', label: 'Consent not confirmed yet' },
  { value: 'no_consent', label: 'No consent recorded (the channel is opt-in)' },
  { value: 'frequency_cap', label: 'Frequency cap reached' },
];

/** A skip reason in words, or null for one this page does not know. */
export function skipReasonLabel(reason: string): string | null {
  return SKIP_REASONS.find((r) => r.value === reason)?.label ?? null;
}

/**
 * Why a log row is as it is, in words, and whether it is a consent decision (shown calmly) or a failure
 * (shown as an error). `null` when there is nothing to say.
 */
export function logReason(status: string, error: string | null | undefined): { text: string; consent: boolean } | null {
  if (!error) return null;
  const s = status.toUpperCase();
  const skip = s === 'SKIPPED' ? skipReasonLabel(error) : null;
  if (skip) return { text: skip, consent: true };
  if (s === 'PENDING' && error === 'quiet_hours') return { text: 'Waiting for quiet hours to end', consent: true };
  return { text: error, consent: false };
}

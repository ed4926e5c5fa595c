// The compliance settings as the form edits them, and back. The form keeps what a switched-off section held
// (quiet hours, the cap, the opt-out line), so switching it on again restores it; the API gets `null` for an
// off section. Numbers stay as typed until sent: the server says what is wrong with them, at their field.
// Double opt-in is a yes/no per channel (off when the server has none recorded); the form always sends all three.
import type { Schemas } from '@/api/client';

import { CONSENT_CHANNELS, type ConsentChannel } from './consent';

export type Compliance = Schemas['Compliance'];
export type ComplianceInput = Schemas['ComplianceInput'];
export type Policy = Schemas['Policy'];

export interface ComplianceForm {
  timezone: string;
  quietHours: { on: boolean; start: string; end: string };
  frequencyCap: { on: boolean; messages: string; days: string };
  policy: Record<ConsentChannel, Policy>;
  doubleOptIn: Record<ConsentChannel, boolean>;
  optOutLine: { on: boolean; text: string };
  topics: string[];
}

export const DEFAULT_OPT_OUT_LINE = 'Reply STOP to opt out';

export const POLICIES: ReadonlyArray<{ value: Policy; label: string }> = [
  { value: 'allowed', label: 'Allowed until they unsubscribe' },
  { value: 'opt_in', label: 'Opt-in: subscribed only' },
];

export function toForm(c: Compliance): ComplianceForm {
  const policy = Object.fromEntries(
    CONSENT_CHANNELS.map(({ value }) => [value, c.policy[value] ?? 'allowed']),
  ) as Record<ConsentChannel, Policy>;
  const doubleOptIn = Object.fromEntries(
    CONSENT_CHANNELS.map(({ value }) => [value, c.double_opt_in?.[value] ?? false]),
  ) as Record<ConsentChannel, boolean>;
  return {
    timezone: c.timezone,
    quietHours: c.quiet_hours
      ? { on: true, start: c.quiet_hours.start, end: c.quiet_hours.end }
      : { on: false, start: '21:00', end: '09:00' },
    frequencyCap: c.frequency_cap
      ? { on: true, messages: String(c.frequency_cap.messages), days: String(c.frequency_cap.days) }
      : { on: false, messages: '3', days: '7' },
    policy,
    doubleOptIn,
    optOutLine:
      c.sms_opt_out_line === null || c.sms_opt_out_line === undefined
        ? { on: false, text: DEFAULT_OPT_OUT_LINE }
        : { on: true, text: c.sms_opt_out_line },
    topics: [...c.topics],
  };
}

/** A typed number as the API reads it: a number when it is one, else the text (the server names the field). */
function numberOrText(raw: string): number {
  const text = raw.trim();
  const n = Number(text);
  return (text !== '' && Number.isFinite(n) ? n : text) as number;
}

export function toInput(f: ComplianceForm): ComplianceInput {
  return {
    timezone: f.timezone.trim(),
    quiet_hours: f.quietHours.on ? { start: f.quietHours.start.trim(), end: f.quietHours.end.trim() } : null,
    frequency_cap: f.frequencyCap.on
      ? { messages: numberOrText(f.frequencyCap.messages), days: numberOrText(f.frequencyCap.days) }
      : null,
    policy: { ...f.policy },
    sms_opt_out_line: f.optOutLine.on ? f.optOutLine.text : null,
    topics: [...f.topics],
    double_opt_in: { ...f.doubleOptIn },
  };
}

/** The list with `topic` added at the end (trimmed; nothing when empty or already there). */
export function addTopic(topics: readonly string[], topic: string): string[] {
  const t = topic.trim();
  if (t === '' || topics.includes(t)) return [...topics];
  return [...topics, t];
}

const PLACED =
  /^(timezone|quiet_hours\.(start|end)|frequency_cap\.(messages|days)|policy\.(email|sms|whatsapp)|sms_opt_out_line|topics(\[\d+\])?)$/;

/** Whether the form shows a server message for `field` next to a control (the rest go in the summary). */
export function isPlaced(field: string): boolean {
  return PLACED.test(field);
}

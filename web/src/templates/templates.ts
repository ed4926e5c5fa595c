// Saved message templates as the UI handles them: grouped by channel for the list, a short excerpt of each
// body, the form the editor edits and the body that saves it, where each server message goes, and which
// templates a campaign on a channel can start from. The server checks everything; this only arranges.
import type { Schemas } from '@/api/client';
import type { ApiProblem } from '@/api/problem';
import type { SendChannel } from '@/campaigns/shared';

export type Template = Schemas['TemplateView'];
export type TemplateInput = Schemas['TemplateInput'];
export type TemplateChannel = Schemas['Channel'];

/** The channels a template can be for, in the order the pages show them, with their display names. */
export const TEMPLATE_CHANNELS: ReadonlyArray<{ value: TemplateChannel; label: string }> = [
  { value: 'sms', label: 'SMS' },
  { value: 'whatsapp', label: 'WhatsApp' },
  { value: 'email', label: 'E-mail' },
];

export function templateChannelLabel(channel: TemplateChannel): string {
  return TEMPLATE_CHANNELS.find((c) => c.value === channel)?.label ?? channel;
}

/** The templates of each channel, channels in `TEMPLATE_CHANNELS` order, names in the order given. */
export function groupByChannel(
  templates: readonly Template[],
): Array<{ channel: TemplateChannel; label: string; templates: Template[] }> {
  return TEMPLATE_CHANNELS.map(({ value, label }) => ({
    channel: value,
    label,
    templates: templates.filter((t) => t.channel === value),
  }));
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'" };

/**
 * A one-line excerpt of a body, at most `max` characters: e-mail HTML without its tags (the text a reader
 * sees, template variables and all), whitespace collapsed, cut at a word with an ellipsis.
 */
export function excerpt(body: string, channel: TemplateChannel, max = 120): string {
  let text = body;
  if (channel === 'email') {
    text = text
      .replace(/<(style|script|head)\b[\s\S]*?<\/\1\s*>/gi, ' ')
      .replace(/<[^>]*>/g, ' ')
      .replace(/&(amp|lt|gt|quot|apos|nbsp|#39);/g, (_, name: string) => ENTITIES[name] ?? '');
  }
  text = text.replace(/\s+/g, ' ').trim();
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,.;:!?-]+$/, '')}…`;
}

/** What the editor holds: text, empty for unset. */
export interface TemplateForm {
  name: string;
  channel: TemplateChannel;
  subject: string;
  preheader: string;
  body: string;
}

export type TemplateField = keyof TemplateForm;

export function emptyForm(channel: TemplateChannel = 'sms'): TemplateForm {
  return { name: '', channel, subject: '', preheader: '', body: '' };
}

export function toForm(t: Template): TemplateForm {
  return { name: t.name, channel: t.channel, subject: t.subject ?? '', preheader: t.preheader ?? '', body: t.body };
}

/** Whether the channel's templates have a subject line and a preheader. */
export function hasSubject(channel: TemplateChannel): boolean {
  return channel === 'email';
}

/**
 * The body of `POST` and `PUT /api/v1/templates`: every field (PUT replaces the template); the subject and the
 * preheader only for e-mail (the server refuses them elsewhere), `null` when empty.
 */
export function toInput(form: TemplateForm): TemplateInput {
  const orNull = (text: string) => (text.trim() === '' ? null : text.trim());
  const email = hasSubject(form.channel);
  return {
    name: form.name.trim(),
    channel: form.channel,
    body: form.body,
    subject: email ? orNull(form.subject) : null,
    preheader: email ? orNull(form.preheader) : null,
  };
}

/** Whether the form differs from the saved template (or, for a new one, from an empty form). */
export function isDirty(saved: TemplateForm, form: TemplateForm): boolean {
  const a = toInput(saved);
  const b = toInput(form);
  return (Object.keys(a) as Array<keyof TemplateInput>).some((k) => a[k] !== b[k]);
}

/** The message shown at the name when the workspace already has a template of that name (a 409). */
export const NAME_TAKEN = 'A template with this name exists; choose another name.';

const FIELDS: readonly TemplateField[] = ['name', 'channel', 'subject', 'preheader', 'body'];

/**
 * The server's messages by form field, and those that name no field of the form (shown above the buttons).
 * A 409 is the name being taken.
 */
export function fieldErrors(problem: ApiProblem | null): {
  at: Partial<Record<TemplateField, string[]>>;
  other: string[];
} {
  const at: Partial<Record<TemplateField, string[]>> = {};
  const other: string[] = [];
  if (!problem) return { at, other };
  if (problem.status === 409) {
    at.name = [NAME_TAKEN];
    return { at, other };
  }
  for (const e of problem.errors) {
    const field = FIELDS.find((f) => f === e.field);
    if (field) (at[field] ??= []).push(e.message);
    else other.push(`${e.field}: ${e.message}`);
  }
  return { at, other };
}

/** The templates a campaign on `channel` can start from: its own channel's, or every one for `preferred`. */
export function templatesFor(templates: readonly Template[], channel: SendChannel): Template[] {
  return channel === 'preferred' ? [...templates] : templates.filter((t) => t.channel === channel);
}

/**
 * Whether filling the message with a template would lose something written: only when there is text and it
 * is not, unchanged, the body of one of the templates (the one picked before, say).
 */
export function replacingLosesText(message: string, templates: readonly Template[]): boolean {
  if (message.trim() === '') return false;
  return !templates.some((t) => t.body === message);
}

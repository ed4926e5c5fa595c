// The workspace profile as the Brand form edits it, and the PATCH that saves it. The form holds text (empty for
// unset); the patch names only what changed from what the server holds: an emptied field is `null` (cleared),
// and a sender with any of its fields changed is sent whole (the server replaces a sender as one object, and
// one with every field empty as `null`). The display name and the time zone cannot be cleared: they are sent as
// typed and the server says what is wrong.
import type { Schemas } from '@/api/client';

export type WorkspaceProfile = Schemas['WorkspaceBody'];
export type ProfilePatch = Schemas['ProfilePatch'];

export interface BrandForm {
  name: string;
  brandName: string;
  logoUrl: string;
  postalAddress: string;
  defaultCountry: string;
  timezone: string;
  fromName: string;
  fromAddress: string;
  replyTo: string;
  senderId: string;
  dltEntityId: string;
  dltTemplateId: string;
}

export type BrandField = keyof BrandForm;

/** The server's name for each field of the form (its 422 problems name these). */
export const SERVER_FIELD: Record<BrandField, string> = {
  name: 'name',
  brandName: 'brand_name',
  logoUrl: 'logo_url',
  postalAddress: 'postal_address',
  defaultCountry: 'default_country',
  timezone: 'timezone',
  fromName: 'email_sender.from_name',
  fromAddress: 'email_sender.from_address',
  replyTo: 'email_sender.reply_to',
  senderId: 'sms_sender.sender_id',
  dltEntityId: 'sms_sender.dlt_entity_id',
  dltTemplateId: 'sms_sender.dlt_template_id',
};

const EMAIL_FIELDS = ['fromName', 'fromAddress', 'replyTo'] as const satisfies readonly BrandField[];
const SMS_FIELDS = ['senderId', 'dltEntityId', 'dltTemplateId'] as const satisfies readonly BrandField[];

export function toForm(w: WorkspaceProfile): BrandForm {
  return {
    name: w.name,
    brandName: w.brand_name ?? '',
    logoUrl: w.logo_url ?? '',
    postalAddress: w.postal_address ?? '',
    defaultCountry: w.default_country ?? '',
    timezone: w.timezone,
    fromName: w.email_sender?.from_name ?? '',
    fromAddress: w.email_sender?.from_address ?? '',
    replyTo: w.email_sender?.reply_to ?? '',
    senderId: w.sms_sender?.sender_id ?? '',
    dltEntityId: w.sms_sender?.dlt_entity_id ?? '',
    dltTemplateId: w.sms_sender?.dlt_template_id ?? '',
  };
}

/** Text as the server keeps it: line breaks as `\n`, no spaces around (the server trims too). */
function clean(text: string): string {
  return text.replace(/\r\n?/g, '\n').trim();
}

/** A field that may be cleared: its text, or `null` when empty. */
function orNull(text: string): string | null {
  const t = clean(text);
  return t === '' ? null : t;
}

function changed(base: BrandForm, form: BrandForm, field: BrandField): boolean {
  return clean(base[field]) !== clean(form[field]);
}

/** The PATCH body saving `form` over `base` (what the server holds): only the keys that changed. */
export function toPatch(base: BrandForm, form: BrandForm): ProfilePatch {
  const patch: ProfilePatch = {};
  if (changed(base, form, 'name')) patch.name = clean(form.name);
  if (changed(base, form, 'timezone')) patch.timezone = clean(form.timezone);
  if (changed(base, form, 'brandName')) patch.brand_name = orNull(form.brandName);
  if (changed(base, form, 'logoUrl')) patch.logo_url = orNull(form.logoUrl);
  if (changed(base, form, 'postalAddress')) patch.postal_address = orNull(form.postalAddress);
  if (changed(base, form, 'defaultCountry')) patch.default_country = orNull(form.defaultCountry);
  if (EMAIL_FIELDS.some((f) => changed(base, form, f))) {
    const sender = {
      from_name: orNull(form.fromName),
      from_address: orNull(form.fromAddress),
      reply_to: orNull(form.replyTo),
    };
    patch.email_sender = Object.values(sender).some((v) => v !== null) ? sender : null;
  }
  if (SMS_FIELDS.some((f) => changed(base, form, f))) {
    const sender = {
      sender_id: orNull(form.senderId),
      dlt_entity_id: orNull(form.dltEntityId),
      dlt_template_id: orNull(form.dltTemplateId),
    };
    patch.sms_sender = Object.values(sender).some((v) => v !== null) ? sender : null;
  }
  return patch;
}

/** Whether the form would change anything. */
export function isDirty(base: BrandForm, form: BrandForm): boolean {
  return Object.keys(toPatch(base, form)).length > 0;
}

/** Where a server message for a whole sender goes (the sender's card), besides the fields' own. */
export const SENDER_FIELDS = ['email_sender', 'sms_sender'] as const;

const PLACED = new Set<string>([...Object.values(SERVER_FIELD), ...SENDER_FIELDS]);

/** Whether the form shows a server message for `field` next to a control (the rest go in the summary). */
export function isPlaced(field: string): boolean {
  return PLACED.has(field);
}

/** A logo URL worth showing as a preview: an absolute http(s) address (the server checks it properly). */
export function previewableLogo(url: string): string | null {
  const u = url.trim();
  return /^https?:\/\/[^\s/?#]+\S*$/i.test(u) ? u : null;
}

/**
 * Whether a template uses the `brand` variable (`{{ brand }}`, `{{ brand | upper }}`, `{% if brand %}`), not
 * a customer attribute of that name (`{{ attributes.brand }}`). The launch dialog warns only then.
 */
export function usesBrand(template: string): boolean {
  const tags = template.match(/\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g) ?? [];
  return tags.some((tag) => /(?<![\w.])brand(?![\w])/.test(tag.replace(/"[^"]*"|'[^']*'/g, '""')));
}

// The channel settings form's pure parts: the server's answer (`GET /api/v1/settings/channels`) turned into
// form state, and the form state turned back into the whole document a PUT takes. Kept apart from the page
// so the rules that matter are unit-tested: a channel on the server's default is sent as `{"kind":
// "default"}` (saving e-mail must not detach SMS from it), and a secret left blank is sent as `[redacted]`,
// which the server reads as "keep the saved one".
import type { Schemas } from '@/api/client';

export const CHANNELS = ['sms', 'whatsapp', 'email'] as const;
export type ChannelName = (typeof CHANNELS)[number];
export const CHANNEL_LABELS: Record<ChannelName, string> = { sms: 'SMS', whatsapp: 'WhatsApp', email: 'E-mail' };

/** How a channel is delivered: the server's default vendor, a vendor's HTTP API, or (e-mail) an SMTP relay. */
export type Mode = 'default' | 'vendor' | 'smtp';
export type Tls = 'none' | 'starttls' | 'tls';

/** What the server writes in place of a saved secret, and reads back as "keep it". */
export const REDACTED = '[redacted]';

export interface VendorForm {
  base_url: string;
  /** Blank: keep the saved one (when `saved` says there is one). */
  api_key: string;
  signing_secret: string;
}

export interface SmtpForm {
  host: string;
  port: string;
  tls: Tls;
  username: string;
  password: string;
  from_address: string;
  from_name: string;
}

export interface ChannelForm {
  mode: Mode;
  vendor: VendorForm;
  smtp: SmtpForm;
  /** Secrets the server holds for this channel as loaded (shown as "saved — leave blank to keep"). */
  saved: { api_key: boolean; signing_secret: boolean; password: boolean };
  /** Settings the form does not show (timeouts, pool size, HELO name), sent back as they came. */
  extra: { vendor: Record<string, unknown>; smtp: Record<string, unknown> };
}

export type ChannelsForm = Record<ChannelName, ChannelForm>;

type View = Schemas['ChannelSettingsView'];

const VENDOR_SHOWN = ['kind', 'base_url', 'api_key', 'signing_secret', 'route'];
const SMTP_SHOWN = ['kind', 'host', 'port', 'tls', 'username', 'password', 'from_address', 'from_name'];

function text(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

function rest(config: Record<string, unknown>, shown: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(config).filter(([key]) => !shown.includes(key)));
}

/** Whether this server has a default vendor a channel can follow. */
export function hasServerDefault(view: View): boolean {
  return view.source === 'default' || Object.values(view.sources).includes('default');
}

export function emptyChannel(mode: Mode = 'vendor'): ChannelForm {
  return {
    mode,
    vendor: { base_url: '', api_key: '', signing_secret: '' },
    smtp: { host: '', port: '587', tls: 'starttls', username: '', password: '', from_address: '', from_name: '' },
    saved: { api_key: false, signing_secret: false, password: false },
    extra: { vendor: {}, smtp: {} },
  };
}

/** The form for the settings as the server answered them. */
export function formFromView(view: View): ChannelsForm {
  const channels = (view.channels ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const form = {} as ChannelsForm;
  for (const name of CHANNELS) {
    const config = channels[name];
    const channel = emptyChannel();
    if (view.sources[name] === 'default') channel.mode = 'default';
    else if (config?.kind === 'smtp') {
      channel.mode = 'smtp';
      channel.smtp = {
        host: text(config.host),
        port: text(config.port),
        tls: config.tls === 'none' || config.tls === 'tls' ? config.tls : 'starttls',
        username: text(config.username),
        password: '',
        from_address: text(config.from_address),
        from_name: text(config.from_name),
      };
      channel.saved.password = config.password === REDACTED;
      channel.extra.smtp = rest(config, SMTP_SHOWN);
    } else if (config?.kind === 'vendor') {
      channel.vendor = { base_url: text(config.base_url), api_key: '', signing_secret: '' };
      channel.saved.api_key = config.api_key === REDACTED;
      channel.saved.signing_secret = config.signing_secret === REDACTED;
      channel.extra.vendor = rest(config, VENDOR_SHOWN);
    }
    form[name] = channel;
  }
  return form;
}

/** A secret as sent: what was typed, else `[redacted]` to keep the saved one, else `empty`. */
function secret<T>(typed: string, saved: boolean, empty: T): string | T {
  if (typed !== '') return typed;
  return saved ? REDACTED : empty;
}

/** One channel as the PUT takes it. */
export function channelDocument(channel: ChannelForm): Record<string, unknown> {
  if (channel.mode === 'default') return { kind: 'default' };
  if (channel.mode === 'smtp') {
    const s = channel.smtp;
    const port = s.port.trim();
    return {
      ...channel.extra.smtp,
      kind: 'smtp',
      host: s.host.trim(),
      // A port that is not a number is sent as typed: the server names it at `email.port`.
      port: /^\d+$/.test(port) ? Number(port) : port,
      tls: s.tls,
      username: s.username.trim() || null,
      password: secret(s.password, channel.saved.password, null),
      from_address: s.from_address.trim(),
      from_name: s.from_name.trim() || null,
    };
  }
  const v = channel.vendor;
  const doc: Record<string, unknown> = {
    ...channel.extra.vendor,
    kind: 'vendor',
    base_url: v.base_url.trim(),
    api_key: secret(v.api_key, channel.saved.api_key, ''),
  };
  const signing = secret(v.signing_secret, channel.saved.signing_secret, null);
  if (signing !== null) doc.signing_secret = signing;
  return doc;
}

/**
 * The whole document a PUT takes to save `channel` as edited: every other channel as it was loaded (those on
 * the server's default as `{"kind": "default"}`, saved secrets as `[redacted]`), so saving one changes no other.
 */
export function settingsDocument(
  loaded: ChannelsForm,
  channel: ChannelName,
  edited: ChannelForm,
): Record<ChannelName, Record<string, unknown>> {
  const doc = {} as Record<ChannelName, Record<string, unknown>>;
  for (const name of CHANNELS) doc[name] = channelDocument(name === channel ? edited : loaded[name]);
  return doc;
}

/** The settings shown for each mode, by the API's field name: where a server error belongs. */
export const MODE_FIELDS: Record<Mode, string[]> = {
  default: [],
  vendor: ['base_url', 'api_key', 'signing_secret'],
  smtp: ['host', 'port', 'tls', 'username', 'password', 'from_address', 'from_name'],
};

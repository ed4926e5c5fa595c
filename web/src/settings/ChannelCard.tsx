// One channel's delivery settings: how it is sent (the server's default, a vendor's HTTP API, or for e-mail
// an SMTP relay) and the settings that way needs, each labelled and explained, with the server's message
// for a setting shown at its input. Saved on its own; the page sends the other channels unchanged.
import type { FormEvent, ReactNode } from 'react';

import type { ApiProblem } from '@/api/problem';
import { Badge } from '@/components/Badge';
import { Button } from '@/components/Button';
import { Card, CardBody, CardHeader } from '@/components/Card';
import { SelectField, TextField } from '@/components/Field';

import { ChannelTest } from './ChannelTest';
import { CHANNEL_LABELS, MODE_FIELDS, type ChannelForm, type ChannelName, type Mode, type Tls } from './channelsForm';

const MODE_LABELS: Record<Mode, string> = {
  default: 'Converge’s default sender (server default)',
  vendor: 'A messaging vendor (HTTP API)',
  smtp: 'Your own mail server (SMTP)',
};
const MODE_BADGES: Record<Mode | 'none', string> = {
  default: 'Server default',
  vendor: 'Messaging vendor',
  smtp: 'SMTP',
  none: 'Not set up',
};
const TLS_LABELS: Record<Tls, string> = {
  none: 'None (only for a server on this machine)',
  starttls: 'STARTTLS (usually port 587)',
  tls: 'TLS (usually port 465)',
};
const KEEP = 'saved — leave blank to keep';

export interface ChannelCardProps {
  channel: ChannelName;
  form: ChannelForm;
  /** How the channel is delivered as saved (the badge). */
  savedMode: Mode | 'none';
  /** Whether "the server's default" can be chosen. */
  offerDefault: boolean;
  receiptUrl: string | undefined;
  manage: boolean;
  onChange: (form: ChannelForm) => void;
  onSave: () => void;
  saving: boolean;
  saved: boolean;
  /** Why this card's save failed, in words. */
  failure: string | null;
  /** The last refused save, whichever channel it was for: this card shows what it says about this channel. */
  problem: ApiProblem | null;
}

export function ChannelCard(props: ChannelCardProps) {
  const { channel, form, savedMode, offerDefault, receiptUrl, manage, onChange, problem } = props;
  const name = CHANNEL_LABELS[channel];
  const headingId = `channel-${channel}-heading`;
  const errorsFor = (field: string) => problem?.messagesFor(`${channel}.${field}`);
  const shown = MODE_FIELDS[form.mode];
  // Anything said about this channel that no input shown here can carry.
  const elsewhere = (problem?.under(channel) ?? []).filter(
    (e) => !shown.some((f) => e.field === `${channel}.${f}`) && e.field !== `${channel}.kind` && e.field !== channel,
  );
  const modes: Mode[] = [
    ...(offerDefault || form.mode === 'default' ? (['default'] as const) : []),
    'vendor',
    ...(channel === 'email' ? (['smtp'] as const) : []),
  ];
  const vendor = (patch: Partial<ChannelForm['vendor']>) => onChange({ ...form, vendor: { ...form.vendor, ...patch } });
  const smtp = (patch: Partial<ChannelForm['smtp']>) => onChange({ ...form, smtp: { ...form.smtp, ...patch } });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    props.onSave();
  };
  const secretHint = (saved: boolean, what: ReactNode) =>
    saved ? 'Saved: leave blank to keep it, or type a new one to replace it.' : what;

  return (
    <Card aria-labelledby={headingId}>
      <CardHeader
        id={headingId}
        title={name}
        actions={
          <span data-testid={`channel-${channel}-mode`}>
            <Badge tone={savedMode === 'none' ? 'warning' : savedMode === 'default' ? 'neutral' : 'info'}>
              {MODE_BADGES[savedMode]}
            </Badge>
          </span>
        }
      />
      <form onSubmit={submit} noValidate>
        <CardBody className="grid gap-4 sm:grid-cols-2">
          <SelectField
            label="How it is delivered"
            fieldClassName="sm:col-span-2"
            disabled={!manage}
            value={form.mode}
            onChange={(e) => onChange({ ...form, mode: e.target.value as Mode })}
            errors={[...(problem?.messagesFor(`${channel}.kind`) ?? []), ...(problem?.messagesFor(channel) ?? [])]}
            hint={
              form.mode === 'default'
                ? `${name} goes through the sender this server’s operator set up, and follows any change they make to it.`
                : form.mode === 'vendor'
                  ? `${name} goes through your messaging vendor’s HTTP API, with your account there.`
                  : 'E-mail goes through your own mail server (an SMTP relay, such as your e-mail provider’s).'
            }
          >
            {modes.map((m) => (
              <option key={m} value={m}>
                {MODE_LABELS[m]}
              </option>
            ))}
          </SelectField>
          {form.mode === 'vendor' && (
            <>
              <TextField
                label="Vendor address"
                fieldClassName="sm:col-span-2"
                disabled={!manage}
                type="url"
                inputMode="url"
                autoComplete="off"
                placeholder="https://api.vendor.com"
                value={form.vendor.base_url}
                onChange={(e) => vendor({ base_url: e.target.value })}
                hint="The web address of your vendor’s API, as their documentation gives it."
                errors={errorsFor('base_url')}
              />
              <TextField
                label="API key"
                disabled={!manage}
                type="password"
                autoComplete="off"
                placeholder={form.saved.api_key ? KEEP : undefined}
                value={form.vendor.api_key}
                onChange={(e) => vendor({ api_key: e.target.value })}
                hint={secretHint(form.saved.api_key, 'The key your vendor gave you for sending.')}
                errors={errorsFor('api_key')}
              />
              <TextField
                label="Signing secret for delivery receipts"
                disabled={!manage}
                type="password"
                autoComplete="off"
                placeholder={form.saved.signing_secret ? KEEP : undefined}
                value={form.vendor.signing_secret}
                onChange={(e) => vendor({ signing_secret: e.target.value })}
                hint={secretHint(
                  form.saved.signing_secret,
                  'The secret your vendor signs delivery receipts with, so Converge can trust them.',
                )}
                errors={errorsFor('signing_secret')}
              />
              {savedMode === 'vendor' && receiptUrl ? (
                <TextField
                  label="Receipt address"
                  fieldClassName="sm:col-span-2"
                  readOnly
                  value={receiptUrl}
                  onFocus={(e) => e.currentTarget.select()}
                  hint="Paste this into your vendor’s dashboard as the address for delivery receipts (webhooks)."
                />
              ) : (
                <p className="text-xs text-slate-600 sm:col-span-2">
                  Once saved, this shows the address your vendor should send delivery receipts to.
                </p>
              )}
            </>
          )}
          {form.mode === 'smtp' && (
            <>
              <TextField
                label="Mail server (SMTP host)"
                disabled={!manage}
                autoComplete="off"
                placeholder="smtp.example.com"
                value={form.smtp.host}
                onChange={(e) => smtp({ host: e.target.value })}
                hint="The host name your e-mail provider gives for sending (SMTP)."
                errors={errorsFor('host')}
              />
              <TextField
                label="Port"
                disabled={!manage}
                inputMode="numeric"
                autoComplete="off"
                value={form.smtp.port}
                onChange={(e) => smtp({ port: e.target.value })}
                hint="Usually 587 with STARTTLS, 465 with TLS."
                errors={errorsFor('port')}
              />
              <SelectField
                label="Security"
                disabled={!manage}
                value={form.smtp.tls}
                onChange={(e) => smtp({ tls: e.target.value as Tls })}
                hint="How the connection to the mail server is encrypted."
                errors={errorsFor('tls')}
              >
                {(Object.keys(TLS_LABELS) as Tls[]).map((t) => (
                  <option key={t} value={t}>
                    {TLS_LABELS[t]}
                  </option>
                ))}
              </SelectField>
              <TextField
                label="User name"
                disabled={!manage}
                autoComplete="off"
                value={form.smtp.username}
                onChange={(e) => smtp({ username: e.target.value })}
                hint="Leave blank if the server needs no sign-in."
                errors={errorsFor('username')}
              />
              <TextField
                label="Password"
                disabled={!manage}
                type="password"
                autoComplete="off"
                placeholder={form.saved.password ? KEEP : undefined}
                value={form.smtp.password}
                onChange={(e) => smtp({ password: e.target.value })}
                hint={secretHint(form.saved.password, 'The password that goes with the user name.')}
                errors={errorsFor('password')}
              />
              <TextField
                label="From address"
                disabled={!manage}
                type="email"
                autoComplete="off"
                placeholder="offers@yourbrand.com"
                value={form.smtp.from_address}
                onChange={(e) => smtp({ from_address: e.target.value })}
                hint="The address your customers see your e-mails come from."
                errors={errorsFor('from_address')}
              />
              <TextField
                label="From name"
                disabled={!manage}
                autoComplete="off"
                value={form.smtp.from_name}
                onChange={(e) => smtp({ from_name: e.target.value })}
                hint="Optional: the name shown beside the address, such as your brand."
                errors={errorsFor('from_name')}
              />
            </>
          )}
          {elsewhere.length > 0 && (
            <ul className="space-y-1 text-xs font-medium text-red-700 sm:col-span-2">
              {elsewhere.map((e, i) => (
                <li key={i}>{e.message}</li>
              ))}
            </ul>
          )}
          {manage && (
            <div className="flex flex-wrap items-center justify-end gap-3 sm:col-span-2">
              {props.saved && (
                <p role="status" className="text-sm text-emerald-800">
                  Saved.
                </p>
              )}
              {props.failure && (
                <p role="alert" className="text-sm text-red-700">
                  {props.failure}
                </p>
              )}
              <Button type="submit" busy={props.saving}>
                Save {name} settings
              </Button>
            </div>
          )}
        </CardBody>
      </form>
      {manage && <ChannelTest channel={channel} />}
    </Card>
  );
}

// Who the workspace is to its customers (`GET/PATCH /api/v1/workspace`): the brand name messages say for
// `{{ brand }}`, the logo, the postal address of the e-mail footer, the country of national phone numbers,
// the time zone (the compliance settings' own), and the senders e-mail and SMS go out as. Anyone may read it;
// owners and admins change it. Saving sends only what changed; the server's messages appear next to the field
// they name (`email_sender.from_address`).
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState, type ChangeEvent, type FormEvent } from 'react';
import { Link } from 'react-router';

import { api, unwrap } from '@/api/client';
import { ApiProblem, errorMessage } from '@/api/problem';
import { Button } from '@/components/Button';
import { Card, CardBody, CardHeader } from '@/components/Card';
import { SelectField, TextAreaField, TextField } from '@/components/Field';
import { ErrorState, Notice, Skeleton } from '@/components/States';
import { countryOptions } from '@/lib/countries';
import { useWorkspaceProfile } from '@/lib/queries';
import { useDebounced } from '@/lib/useDebounced';
import { timeZones } from '@/lib/zones';

import {
  isDirty,
  isPlaced,
  previewableLogo,
  SERVER_FIELD,
  toForm,
  toPatch,
  type BrandField,
  type BrandForm,
  type ProfilePatch,
} from './brand';

const code = 'rounded bg-slate-100 px-1 font-mono text-xs text-slate-800';

/** The logo as the browser shows it, once the address has stopped changing. */
function LogoPreview({ url }: { url: string }) {
  const settled = previewableLogo(useDebounced(url, 400));
  const [failed, setFailed] = useState<string | null>(null);
  if (!settled) return null;
  return (
    <figure className="flex flex-wrap items-center gap-3 rounded-md bg-slate-50 px-3 py-2 ring-1 ring-slate-200">
      <figcaption className="text-xs font-medium text-slate-600">Preview</figcaption>
      {failed === settled ? (
        <p className="text-xs text-amber-800">
          The image at this address cannot be shown here. Check that it opens in a new browser tab.
        </p>
      ) : (
        <img
          key={settled}
          src={settled}
          alt="Your logo"
          className="max-h-16 max-w-full object-contain"
          referrerPolicy="no-referrer"
          onError={() => setFailed(settled)}
          onLoad={() => setFailed(null)}
          data-testid="logo-preview"
        />
      )}
    </figure>
  );
}

export function Brand({ manage }: { manage: boolean }) {
  const client = useQueryClient();
  const profile = useWorkspaceProfile();
  // What was typed, over what the server holds: a refresh of the profile keeps the fields being edited.
  const [edits, setEdits] = useState<Partial<BrandForm>>({});
  const zoneList = useMemo(timeZones, []);
  const base = useMemo(() => (profile.data ? toForm(profile.data) : null), [profile.data]);
  const countries = useMemo(() => countryOptions(base?.defaultCountry || null), [base?.defaultCountry]);
  const save = useMutation({
    mutationFn: (patch: ProfilePatch) => unwrap(api.PATCH('/api/v1/workspace', { body: patch })),
    onSuccess: (saved, patch) => {
      client.setQueryData(['workspace'], saved);
      setEdits({});
      // The display name is in the session (the sidebar, the page headers); the time zone is also the
      // compliance settings'; message previews render the brand.
      if ('name' in patch) void client.invalidateQueries({ queryKey: ['me'] });
      if ('timezone' in patch) void client.invalidateQueries({ queryKey: ['compliance-settings'] });
      void client.invalidateQueries({ queryKey: ['message-preview'] });
    },
  });
  const problem = save.error instanceof ApiProblem ? save.error : null;

  if (profile.isPending)
    return (
      <Card>
        <CardBody>
          <Skeleton rows={6} />
        </CardBody>
      </Card>
    );
  if (profile.isError) return <ErrorState error={profile.error} retry={() => void profile.refetch()} />;
  if (!base) return null;

  const form: BrandForm = { ...base, ...edits };
  const dirty = isDirty(base, form);
  const at = (field: BrandField) => problem?.messagesFor(SERVER_FIELD[field]);
  const unplaced = problem?.errors.filter((e) => !isPlaced(e.field)) ?? [];
  const senderErrors = (sender: 'email_sender' | 'sms_sender') =>
    (problem?.messagesFor(sender) ?? []).map((m, i) => (
      <p key={i} className="text-xs font-medium text-red-700 sm:col-span-2">
        {m}
      </p>
    ));
  const field = (name: BrandField) => ({
    value: form[name],
    errors: at(name),
    onChange: (e: ChangeEvent<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>) => {
      const value = e.target.value;
      setEdits((prev) => ({ ...prev, [name]: value }));
      if (save.isSuccess) save.reset();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (dirty) save.mutate(toPatch(base, form));
  };

  return (
    <form onSubmit={submit} noValidate className="space-y-6" aria-label="Brand settings">
      {!manage && <Notice tone="warning">Only owners and admins change the brand settings.</Notice>}
      <fieldset disabled={!manage} className="min-w-0 space-y-6">
        <legend className="sr-only">Brand settings</legend>
        <Card>
          <CardHeader
            title="Name and logo"
            description="How customers know you: the name your messages sign with and the logo at the top of e-mail."
          />
          <CardBody className="grid gap-4 sm:grid-cols-2">
            <TextField
              label="Display name"
              hint="The workspace's name as members see it in Converge. It cannot be left empty."
              autoComplete="off"
              {...field('name')}
            />
            <TextField
              label="Brand name"
              hint={
                <>
                  What customers see in messages as <code className={code}>{'{{ brand }}'}</code>. While it is empty,
                  messages say the display name, “{base.name}”.
                </>
              }
              autoComplete="organization"
              {...field('brandName')}
            />
            <div className="space-y-2 sm:col-span-2">
              <TextField
                label="Logo URL"
                type="url"
                inputMode="url"
                autoComplete="off"
                spellCheck={false}
                placeholder="https://brand.example/logo.png"
                hint="The address of an image (starting with https://), shown at the top of marketing e-mail."
                {...field('logoUrl')}
              />
              <LogoPreview url={form.logoUrl} />
            </div>
            <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm sm:col-span-2">
              <dt className="text-slate-600">Currency</dt>
              <dd className="text-slate-900">
                {profile.data.currency}{' '}
                <span className="text-xs text-slate-600">(set when the workspace was made)</span>
              </dd>
              <dt className="text-slate-600">Workspace ID</dt>
              <dd className="min-w-0 font-mono text-xs break-all text-slate-900">{profile.data.slug}</dd>
            </dl>
          </CardBody>
        </Card>

        <Card>
          <CardHeader title="Address, country and time zone" />
          <CardBody className="grid gap-4 sm:grid-cols-2">
            <TextAreaField
              label="Postal address"
              rows={4}
              autoComplete="street-address"
              hint={
                <>
                  Printed in the footer of marketing e-mail as <code className={code}>{'{{ postal_address }}'}</code>;
                  anti-spam laws (CAN-SPAM in the US, for one) ask for a real postal address. Several lines are fine.
                </>
              }
              fieldClassName="sm:col-span-2"
              {...field('postalAddress')}
            />
            <SelectField
              label="Default country"
              hint="Phone numbers written without a country code (98123 45678) are read as numbers of this country."
              {...field('defaultCountry')}
            >
              <option value="">Not set</option>
              {countries.map((c) => (
                <option key={c.code} value={c.code}>
                  {c.name} ({c.code})
                </option>
              ))}
            </SelectField>
            <div>
              <TextField
                label="Time zone"
                hint={
                  <>
                    An IANA time zone such as Asia/Kolkata. Quiet hours use it for customers without a time zone of
                    their own; it is the same setting as on the{' '}
                    <Link className="text-indigo-700 underline" to="/settings/compliance">
                      Compliance page
                    </Link>
                    .
                  </>
                }
                list={zoneList.length ? 'brand-zones' : undefined}
                autoComplete="off"
                spellCheck={false}
                {...field('timezone')}
              />
              {zoneList.length > 0 && (
                <datalist id="brand-zones">
                  {zoneList.map((z) => (
                    <option key={z} value={z} />
                  ))}
                </datalist>
              )}
            </div>
          </CardBody>
        </Card>

        <Card>
          <CardHeader
            title="E-mail sender"
            description="Who marketing e-mail is from. Empty fields use the delivery settings of the e-mail channel."
          />
          <CardBody className="grid gap-4 sm:grid-cols-2">
            <TextField
              label="From name"
              hint="The sender name people see in their inbox, e.g. your brand."
              autoComplete="off"
              {...field('fromName')}
            />
            <TextField
              label="From address"
              type="email"
              inputMode="email"
              autoComplete="off"
              spellCheck={false}
              hint="An address on a domain your e-mail vendor lets you send from."
              {...field('fromAddress')}
            />
            <TextField
              label="Reply-to address"
              type="email"
              inputMode="email"
              autoComplete="off"
              spellCheck={false}
              hint="Where replies go, when not to the from address."
              {...field('replyTo')}
            />
            {senderErrors('email_sender')}
          </CardBody>
        </Card>

        <Card>
          <CardHeader
            title="SMS sender"
            description="What the SMS vendor sends as. The DLT fields are for India only: Indian telecom rules require business SMS to be registered on a DLT (Distributed Ledger Technology) platform. Leave them empty for other countries."
          />
          <CardBody className="grid gap-4 sm:grid-cols-2">
            <TextField
              label="Sender ID"
              hint="The name shown as the sender of an SMS: 3 to 11 letters or digits, e.g. TANVIF."
              autoComplete="off"
              spellCheck={false}
              fieldClassName="sm:col-span-2 sm:max-w-sm"
              {...field('senderId')}
            />
            <TextField
              label="DLT entity ID (India only)"
              inputMode="numeric"
              autoComplete="off"
              hint="Your principal entity ID from the DLT registration: 10 to 25 digits."
              {...field('dltEntityId')}
            />
            <TextField
              label="DLT template ID (India only)"
              inputMode="numeric"
              autoComplete="off"
              hint="The registered content template messages are sent under: 10 to 25 digits."
              {...field('dltTemplateId')}
            />
            {senderErrors('sms_sender')}
          </CardBody>
        </Card>
      </fieldset>

      {manage && (
        <div className="flex flex-wrap items-center justify-end gap-3">
          {save.isError && (
            <div role="alert" className="text-sm text-red-700">
              {problem && problem.errors.length ? (
                <>
                  <p>Not saved: see the marked fields.</p>
                  {unplaced.map((e, i) => (
                    <p key={i}>
                      {e.field}: {e.message}
                    </p>
                  ))}
                </>
              ) : (
                <p>{errorMessage(save.error)}</p>
              )}
            </div>
          )}
          {save.isSuccess && (
            <p role="status" className="text-sm text-emerald-800">
              Saved.
            </p>
          )}
          {!dirty && !save.isSuccess && !save.isError && <p className="text-sm text-slate-600">No changes to save.</p>}
          <Button type="submit" busy={save.isPending} disabled={!dirty}>
            Save brand settings
          </Button>
        </div>
      )}
    </form>
  );
}

// The workspace's compliance settings (`GET/PUT /api/v1/settings/compliance`): what "no consent recorded"
// means per channel, quiet hours in the customer's time zone, a frequency cap across campaigns, the SMS
// opt-out line, the topics customers can leave and, per channel, whether a new subscription waits for the
// customer's confirmation (double opt-in). The dispatcher applies them to each message when it is
// due; the server's messages appear next to the setting they name (`quiet_hours.start`).
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState, type FormEvent, type KeyboardEvent, type ReactNode } from 'react';
import { Link } from 'react-router';

import { api, unwrap } from '@/api/client';
import { ApiProblem, errorMessage } from '@/api/problem';
import { useSession } from '@/auth/session';
import { Button } from '@/components/Button';
import { Card, CardBody, CardHeader } from '@/components/Card';
import { SelectField, TextField } from '@/components/Field';
import { PageHeader } from '@/components/Page';
import { ErrorState, Notice, Skeleton } from '@/components/States';
import { useCompliance } from '@/lib/queries';
import { timeZones } from '@/lib/zones';

import { CONSENT_CHANNELS } from './consent';
import {
  addTopic,
  DEFAULT_OPT_OUT_LINE,
  isPlaced,
  POLICIES,
  toForm,
  toInput,
  type ComplianceForm,
  type Policy,
} from './form';

function Switch({
  checked,
  onChange,
  label,
  hint,
}: {
  checked: boolean;
  onChange: (on: boolean) => void;
  label: string;
  hint?: ReactNode;
}) {
  return (
    <label className="flex items-start gap-2 text-sm">
      <input
        type="checkbox"
        className="mt-0.5 size-4 accent-indigo-600"
        checked={checked}
        onChange={(e) => onChange(e.target.checked)}
      />
      <span>
        <span className="font-medium text-slate-900">{label}</span>
        {hint && <span className="block text-xs text-slate-600">{hint}</span>}
      </span>
    </label>
  );
}

export default function CompliancePage() {
  const client = useQueryClient();
  const { can } = useSession();
  const manage = can('manage');
  const settings = useCompliance();
  const [form, setForm] = useState<ComplianceForm | null>(null);
  const [newTopic, setNewTopic] = useState('');
  const [topicNote, setTopicNote] = useState<string | null>(null);
  const zoneList = useMemo(timeZones, []);
  useEffect(() => {
    if (settings.data) setForm(toForm(settings.data));
  }, [settings.data]);
  const save = useMutation({
    mutationFn: (f: ComplianceForm) => unwrap(api.PUT('/api/v1/settings/compliance', { body: toInput(f) })),
    onSuccess: (saved) => {
      client.setQueryData(['compliance-settings'], saved);
      // The time zone is also the workspace profile's (Settings → Brand).
      void client.invalidateQueries({ queryKey: ['workspace'] });
    },
  });
  const problem = save.error instanceof ApiProblem ? save.error : null;
  const at = (field: string) => problem?.messagesFor(field);
  const unplaced = problem?.errors.filter((e) => !isPlaced(e.field)) ?? [];

  const header = (
    <PageHeader
      title="Compliance"
      description={
        <>
          Who may get marketing messages and when, checked for every message as it goes out. Blocked addresses are on
          the{' '}
          <Link className="text-indigo-700 underline" to="/suppressions">
            suppression list page
          </Link>
          .
        </>
      }
    />
  );
  if (settings.isPending)
    return (
      <>
        {header}
        <Card>
          <CardBody>
            <Skeleton rows={6} />
          </CardBody>
        </Card>
      </>
    );
  if (settings.isError)
    return (
      <>
        {header}
        <ErrorState error={settings.error} retry={() => void settings.refetch()} />
      </>
    );
  if (!form) return header;

  const set = (patch: Partial<ComplianceForm>) => setForm({ ...form, ...patch });
  const setTopics = (topics: string[]) => {
    // The server's messages name topics by position: they no longer fit a changed list.
    if (problem) save.reset();
    set({ topics });
  };
  const add = () => {
    const t = newTopic.trim();
    if (!t) return;
    if (form.topics.includes(t)) {
      setTopicNote(`“${t}” is already listed.`);
      return;
    }
    setTopics(addTopic(form.topics, t));
    setNewTopic('');
    setTopicNote(null);
  };
  const onTopicKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      add();
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate(form);
  };

  return (
    <>
      {header}
      <form onSubmit={submit} noValidate className="space-y-6" aria-label="Compliance settings">
        {!manage && <Notice tone="warning">Only owners and admins change these settings.</Notice>}
        <fieldset disabled={!manage} className="space-y-6">
          <legend className="sr-only">Compliance settings</legend>
          <Card>
            <CardHeader
              title="Consent policy"
              description="What “no consent recorded” means on each channel: opt-in sends only to customers who subscribed; allowed also sends to those who never answered. An unsubscribe always wins."
            />
            <CardBody className="grid gap-4 sm:grid-cols-3">
              {CONSENT_CHANNELS.map(({ value, label }) => (
                <SelectField
                  key={value}
                  label={`${label} policy`}
                  value={form.policy[value]}
                  onChange={(e) => set({ policy: { ...form.policy, [value]: e.target.value as Policy } })}
                  errors={at(`policy.${value}`)}
                >
                  {POLICIES.map((p) => (
                    <option key={p.value} value={p.value}>
                      {p.label}
                    </option>
                  ))}
                </SelectField>
              ))}
            </CardBody>
          </Card>

          <Card>
            <CardHeader
              title="Confirm new subscriptions (double opt-in)"
              description="When on, a new subscription from an import or the API stays pending, and gets no marketing, until the customer follows the confirmation link Converge sends them."
            />
            <CardBody className="grid gap-4 sm:grid-cols-3">
              {CONSENT_CHANNELS.map(({ value, label }) => (
                <Switch
                  key={value}
                  label={`${label}: confirm new subscriptions`}
                  checked={form.doubleOptIn[value]}
                  onChange={(on) => set({ doubleOptIn: { ...form.doubleOptIn, [value]: on } })}
                />
              ))}
            </CardBody>
          </Card>

          <Card>
            <CardHeader
              title="Time zone and quiet hours"
              description="Messages due inside quiet hours wait until they end, in each customer's own time zone."
            />
            <CardBody className="space-y-4">
              <TextField
                label="Time zone"
                hint="For customers without a timezone attribute of their own, e.g. Asia/Kolkata."
                list={zoneList.length ? 'compliance-zones' : undefined}
                autoComplete="off"
                spellCheck={false}
                value={form.timezone}
                onChange={(e) => set({ timezone: e.target.value })}
                errors={at('timezone')}
                fieldClassName="max-w-sm"
              />
              {zoneList.length > 0 && (
                <datalist id="compliance-zones">
                  {zoneList.map((z) => (
                    <option key={z} value={z} />
                  ))}
                </datalist>
              )}
              <Switch
                label="Quiet hours"
                hint="No marketing message goes out between these times; the window may cross midnight."
                checked={form.quietHours.on}
                onChange={(on) => set({ quietHours: { ...form.quietHours, on } })}
              />
              {form.quietHours.on && (
                <div className="grid max-w-sm grid-cols-2 gap-3">
                  <TextField
                    label="From"
                    type="time"
                    value={form.quietHours.start}
                    onChange={(e) => set({ quietHours: { ...form.quietHours, start: e.target.value } })}
                    errors={at('quiet_hours.start')}
                  />
                  <TextField
                    label="Until"
                    type="time"
                    value={form.quietHours.end}
                    onChange={(e) => set({ quietHours: { ...form.quietHours, end: e.target.value } })}
                    errors={at('quiet_hours.end')}
                  />
                </div>
              )}
            </CardBody>
          </Card>

          <Card>
            <CardHeader
              title="Frequency cap"
              description="Customers who already got this many marketing messages, across campaigns, are skipped."
            />
            <CardBody className="space-y-4">
              <Switch
                label="Limit marketing messages per customer"
                checked={form.frequencyCap.on}
                onChange={(on) => set({ frequencyCap: { ...form.frequencyCap, on } })}
              />
              {form.frequencyCap.on && (
                <div className="grid max-w-sm grid-cols-2 gap-3">
                  <TextField
                    label="At most (messages)"
                    type="number"
                    inputMode="numeric"
                    min={1}
                    max={1000}
                    value={form.frequencyCap.messages}
                    onChange={(e) => set({ frequencyCap: { ...form.frequencyCap, messages: e.target.value } })}
                    errors={at('frequency_cap.messages')}
                  />
                  <TextField
                    label="In any (days)"
                    type="number"
                    inputMode="numeric"
                    min={1}
                    max={365}
                    value={form.frequencyCap.days}
                    onChange={(e) => set({ frequencyCap: { ...form.frequencyCap, days: e.target.value } })}
                    errors={at('frequency_cap.days')}
                  />
                </div>
              )}
            </CardBody>
          </Card>

          <Card>
            <CardHeader
              title="SMS opt-out line"
              description="Added to every SMS that does not mention STOP; a STOP reply unsubscribes the sender."
            />
            <CardBody className="space-y-4">
              <Switch
                label="Add an opt-out line to SMS"
                checked={form.optOutLine.on}
                onChange={(on) => set({ optOutLine: { ...form.optOutLine, on } })}
              />
              {form.optOutLine.on && (
                <TextField
                  label="Opt-out line"
                  hint={`Up to 80 characters. The default is “${DEFAULT_OPT_OUT_LINE}”.`}
                  value={form.optOutLine.text}
                  onChange={(e) => set({ optOutLine: { ...form.optOutLine, text: e.target.value } })}
                  errors={at('sms_opt_out_line')}
                  fieldClassName="max-w-md"
                />
              )}
            </CardBody>
          </Card>

          <Card>
            <CardHeader
              title="Topics"
              description="What campaigns can be about. Customers can leave a topic and keep the rest."
            />
            <CardBody className="space-y-4">
              {form.topics.length === 0 ? (
                <p className="text-sm text-slate-600">No topics yet.</p>
              ) : (
                <ul className="max-w-lg divide-y divide-slate-100 rounded-md ring-1 ring-slate-200" aria-label="Topics">
                  {form.topics.map((t, i) => {
                    const errors = at(`topics[${i}]`) ?? [];
                    return (
                      <li key={`${t}-${i}`} className="px-3 py-2">
                        <div className="flex items-center justify-between gap-2">
                          <span className="min-w-0 font-mono text-sm break-all text-slate-900">{t}</span>
                          {manage && (
                            <Button
                              variant="ghost"
                              size="sm"
                              onClick={() => setTopics(form.topics.filter((_, j) => j !== i))}
                            >
                              Remove<span className="sr-only"> topic {t}</span>
                            </Button>
                          )}
                        </div>
                        {errors.length > 0 && (
                          <p className="mt-1 text-xs font-medium text-red-700">{errors.join('; ')}</p>
                        )}
                      </li>
                    );
                  })}
                </ul>
              )}
              {(at('topics') ?? []).map((m, i) => (
                <p key={i} className="text-xs font-medium text-red-700">
                  {m}
                </p>
              ))}
              {manage && (
                <div className="flex flex-col gap-2 sm:flex-row sm:items-start">
                  <TextField
                    label="New topic"
                    hint="Lowercase letters, digits, _ and -, starting with a letter, e.g. offers."
                    autoComplete="off"
                    spellCheck={false}
                    value={newTopic}
                    onChange={(e) => {
                      setNewTopic(e.target.value);
                      setTopicNote(null);
                    }}
                    onKeyDown={onTopicKey}
                    errors={topicNote ? [topicNote] : undefined}
                    fieldClassName="sm:max-w-xs sm:flex-1"
                  />
                  <Button variant="secondary" className="sm:mt-6" onClick={add} disabled={!newTopic.trim()}>
                    Add topic
                  </Button>
                </div>
              )}
            </CardBody>
          </Card>
        </fieldset>

        {manage && (
          <div className="flex flex-wrap items-center justify-end gap-3">
            {save.isError && (
              <div role="alert" className="text-sm text-red-700">
                {problem && problem.errors.length ? (
                  <>
                    <p>Not saved: see the marked settings.</p>
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
            <Button type="submit" busy={save.isPending}>
              Save compliance settings
            </Button>
          </div>
        )}
      </form>
    </>
  );
}

// The message: a template with variables, rendered live for a sample customer by the server (the same code
// the dispatch workers use), and AI suggestions for an objective.
import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { useRef, useState } from 'react';

import { api, unwrap } from '@/api/client';
import { ApiProblem, errorMessage } from '@/api/problem';
import { Badge } from '@/components/Badge';
import { Button } from '@/components/Button';
import { inputClass, TextAreaField } from '@/components/Field';
import { SparkIcon } from '@/components/Icons';
import { Skeleton } from '@/components/States';
import type { ServerRule } from '@/audience/fields';
import { useDebounced } from '@/lib/useDebounced';

import { EmailBodyEditor } from './email/EmailBodyEditor';
import { EmailPreview } from './email/EmailPreview';
import { withMjmlUnsubscribe } from './email/mjml';
import type { SendChannel } from './shared';
import { hasUnsubscribeLink, insertAt, needsUnsubscribeLink, UNSUBSCRIBE_TOKEN, withUnsubscribeLink } from './template';

function Suggestions({
  channel,
  rule,
  onUse,
}: {
  channel: SendChannel;
  rule: ServerRule | null;
  onUse: (text: string) => void;
}) {
  const [objective, setObjective] = useState('');
  const suggest = useMutation({
    mutationFn: () =>
      unwrap(api.POST('/api/v1/ai/message-suggestions', { body: { objective, channel, ...(rule ? { rule } : {}) } })),
  });
  return (
    <div className="rounded-lg border border-indigo-100 bg-indigo-50/50 p-4">
      <form
        className="flex flex-col gap-2 sm:flex-row"
        onSubmit={(e) => {
          e.preventDefault();
          if (objective.trim()) suggest.mutate();
        }}
      >
        <label htmlFor="objective" className="sr-only">
          Objective for AI suggestions
        </label>
        <input
          id="objective"
          className={inputClass}
          placeholder="Objective, e.g. “win back lapsed customers with 20% off”"
          value={objective}
          onChange={(e) => setObjective(e.target.value)}
        />
        <Button type="submit" variant="secondary" busy={suggest.isPending} disabled={!objective.trim()}>
          <SparkIcon width={16} height={16} /> Suggest messages
        </Button>
      </form>
      {suggest.isError && (
        <p role="alert" className="mt-2 text-xs font-medium text-red-700">
          {suggest.error instanceof ApiProblem && suggest.error.status === 404
            ? 'Message suggestions are not available on this server.'
            : errorMessage(suggest.error)}
        </p>
      )}
      {suggest.data && (
        <ul className="mt-3 space-y-2">
          {suggest.data.notice && <li className="text-xs text-slate-600">{suggest.data.notice}</li>}
          {suggest.data.suggestions.map((s, i) => (
            <li
              key={i}
              className="flex items-start justify-between gap-3 rounded-md bg-white p-3 text-sm shadow-sm ring-1 ring-slate-200"
            >
              <div className="min-w-0">
                <Badge tone="info">{s.tone}</Badge>
                <p className="mt-1 break-words text-slate-800">{s.text}</p>
              </div>
              <Button size="sm" variant="secondary" onClick={() => onUse(s.text)}>
                Use
              </Button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** E-mail (and each customer's preferred channel, which may be e-mail) needs the unsubscribe link. */
function UnsubscribeHelp({
  channel,
  present,
  onInsert,
}: {
  channel: SendChannel;
  present: boolean;
  onInsert: () => void;
}) {
  return (
    <div
      className={
        present
          ? 'flex flex-wrap items-center justify-between gap-2 rounded-lg border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm text-emerald-900'
          : 'flex flex-wrap items-center justify-between gap-2 rounded-lg border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900'
      }
      data-testid="unsubscribe-help"
    >
      {present ? (
        <p>The message contains the unsubscribe link: each recipient gets their own.</p>
      ) : (
        <p className="min-w-0">
          {channel === 'email' ? 'E-mail messages' : 'Messages that may go by e-mail'} must contain{' '}
          <code className="font-mono text-xs">{UNSUBSCRIBE_TOKEN}</code>, each recipient's own unsubscribe and
          preferences link.
        </p>
      )}
      {!present && (
        <Button size="sm" variant="secondary" onClick={onInsert}>
          Insert unsubscribe link
        </Button>
      )}
    </div>
  );
}

export function MessageComposer({
  template,
  onTemplateChange,
  channel,
  sampleCustomer = null,
  rule = null,
  errors,
  label = 'Message',
  rows = 5,
  suggestions = true,
  subject = null,
  preheader = null,
}: {
  template: string;
  onTemplateChange: (t: string) => void;
  channel: SendChannel;
  /** Render the preview for this customer (one of the audience); null: the server's example customer. */
  sampleCustomer?: { external_id: string; name?: string | null } | null;
  rule?: ServerRule | null;
  errors?: string[] | undefined;
  /** The text area's label (a saved template calls it the body). */
  label?: string;
  rows?: number;
  /** Offer AI suggestions for an objective (the campaign composer does). */
  suggestions?: boolean;
  /** E-mail: the subject line template shown above the preview, as a mail client shows it. */
  subject?: string | null;
  /** E-mail: the preview text shown after the subject. */
  preheader?: string | null;
}) {
  const area = useRef<HTMLTextAreaElement>(null);
  const insertIntoEmail = useRef<((token: string) => void) | null>(null);
  const email = channel === 'email';
  const variables = useQuery({
    queryKey: ['template-variables'],
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/template-variables', { signal })),
    staleTime: Infinity,
    retry: false,
  });
  const settled = useDebounced(template, 400);
  const preview = useQuery({
    queryKey: ['message-preview', settled, channel, sampleCustomer?.external_id ?? null],
    queryFn: ({ signal }) =>
      unwrap(
        api.POST('/api/v1/campaigns/message-preview', {
          body: { template: settled, channel, customer_external_id: sampleCustomer?.external_id ?? null },
          signal,
        }),
      ),
    enabled: settled.trim() !== '',
    placeholderData: keepPreviousData,
    retry: false,
  });
  const previewProblem = preview.error instanceof ApiProblem ? preview.error : null;
  // The same problem can come from a save and from the preview: say it once.
  const templateErrors = [...new Set([...(errors ?? []), ...(previewProblem?.messagesFor('template') ?? [])])];

  const settledSubject = useDebounced(subject ?? '', 400);
  // The subject is rendered as plain text, which is how a text channel renders a template: the server's
  // SMS rendering of the same line is what the inbox will show.
  const subjectPreview = useQuery({
    queryKey: ['subject-preview', settledSubject, sampleCustomer?.external_id ?? null],
    queryFn: ({ signal }) =>
      unwrap(
        api.POST('/api/v1/campaigns/message-preview', {
          body: { template: settledSubject, channel: 'sms', customer_external_id: sampleCustomer?.external_id ?? null },
          signal,
        }),
      ),
    enabled: email && /\{[{%]/.test(settledSubject),
    placeholderData: keepPreviousData,
    retry: false,
  });
  const shownSubject =
    subjectPreview.data && /\{[{%]/.test(subject ?? '') ? subjectPreview.data.message : (subject ?? '');

  const insert = (name: string) => {
    const el = area.current;
    const token = name === 'attributes' ? '{{ attributes.key }}' : `{{ ${name} }}`;
    if (email && insertIntoEmail.current) {
      insertIntoEmail.current(token);
      return;
    }
    const next = insertAt(template, token, el?.selectionStart ?? null, el?.selectionEnd ?? null);
    onTemplateChange(next.text);
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(next.caret, next.caret);
    });
  };

  const addUnsubscribe = () => {
    const next = withMjmlUnsubscribe(template) ?? withUnsubscribeLink(template);
    onTemplateChange(next);
    requestAnimationFrame(() => {
      area.current?.focus();
      area.current?.setSelectionRange(next.length, next.length);
    });
  };

  return (
    <div className="space-y-4">
      {email ? (
        <EmailBodyEditor
          template={template}
          onTemplateChange={onTemplateChange}
          label={label}
          hint="MJML (starting with <mjml>) or HTML; {{ first_name }} and other variables work in text and links."
          rows={rows}
          errors={templateErrors}
          area={area}
          insertRef={insertIntoEmail}
        />
      ) : (
        <TextAreaField
          ref={area}
          label={label}
          hint={
            'Write {{ first_name }} and other variables; {{ first_name | default("there") }} covers customers without one.'
          }
          rows={rows}
          value={template}
          onChange={(e) => onTemplateChange(e.target.value)}
          errors={templateErrors.length ? templateErrors : undefined}
          className="font-mono"
        />
      )}
      {variables.data && variables.data.length > 0 && (
        <div>
          <p className="mb-1.5 text-xs font-medium text-slate-700">Insert a variable</p>
          <div className="flex flex-wrap gap-1.5">
            {variables.data.map((v) => (
              <button
                key={v.name}
                type="button"
                title={`${v.description} Example: ${v.example}`}
                onClick={() => insert(v.name)}
                className="rounded-full bg-slate-100 px-2.5 py-1 font-mono text-xs text-slate-800 hover:bg-indigo-50 hover:text-indigo-800"
              >
                {v.name}
              </button>
            ))}
          </div>
        </div>
      )}
      {needsUnsubscribeLink(channel) && (
        <UnsubscribeHelp channel={channel} present={hasUnsubscribeLink(template)} onInsert={addUnsubscribe} />
      )}
      <div className="rounded-lg border border-slate-200 bg-slate-50 p-4" aria-live="polite">
        <div className="flex flex-wrap items-center justify-between gap-2">
          <h3 className="text-xs font-semibold tracking-wide text-slate-600 uppercase">
            Preview{' '}
            {sampleCustomer ? `for ${sampleCustomer.name || sampleCustomer.external_id}` : 'for an example customer'}
          </h3>
          {preview.data && (
            <span className="text-xs text-slate-600">
              {preview.data.channel.toUpperCase()}
              {preview.data.sms_segments
                ? ` · ${preview.data.sms_segments} SMS segment${preview.data.sms_segments > 1 ? 's' : ''}`
                : ''}
            </span>
          )}
        </div>
        {template.trim() === '' ? (
          <p className="mt-2 text-sm text-slate-600">Write a message to see it as a customer would.</p>
        ) : preview.isPending ? (
          <Skeleton rows={2} className="mt-2" />
        ) : preview.data && email ? (
          <>
            <EmailPreview html={preview.data.message} subject={shownSubject} preheader={preheader ?? undefined} />
            {preview.data.note && <p className="mt-2 text-xs text-amber-800">{preview.data.note}</p>}
          </>
        ) : preview.data ? (
          <>
            <p className="mt-2 text-sm break-words whitespace-pre-wrap text-slate-900" data-testid="message-preview">
              {preview.data.message}
            </p>
            {preview.data.note && <p className="mt-2 text-xs text-amber-800">{preview.data.note}</p>}
          </>
        ) : preview.isError && !previewProblem?.messagesFor('template').length ? (
          <p className="mt-2 text-sm text-red-700">{errorMessage(preview.error)}</p>
        ) : null}
      </div>
      {suggestions && <Suggestions channel={channel} rule={rule} onUse={onTemplateChange} />}
    </div>
  );
}

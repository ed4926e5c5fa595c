// One saved template, new or existing: name, channel, the subject line and preheader of e-mail, and the body,
// written with the campaign composer's variables and live preview. Saving sends every field (PUT replaces
// the template); the server's messages appear at the field they name, a taken name at the name. Deleting asks
// first. Members whose role cannot change templates see them read-only.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useLocation, useNavigate, useParams, useSearchParams } from 'react-router';

import { api, unwrap } from '@/api/client';
import { ApiProblem, errorMessage } from '@/api/problem';
import { useSession } from '@/auth/session';
import { MessageComposer } from '@/campaigns/MessageComposer';
import { Badge } from '@/components/Badge';
import { Button, buttonClass } from '@/components/Button';
import { Card, CardBody, CardHeader } from '@/components/Card';
import { Dialog } from '@/components/Dialog';
import { SelectField, TextAreaField, TextField } from '@/components/Field';
import { PageHeader } from '@/components/Page';
import { ErrorState, Notice, Skeleton } from '@/components/States';
import { formatDateTime } from '@/lib/format';

import {
  emptyForm,
  fieldErrors,
  hasSubject,
  isDirty,
  TEMPLATE_CHANNELS,
  toForm,
  toInput,
  type Template,
  type TemplateChannel,
  type TemplateField,
  type TemplateForm,
} from './templates';

const back = (
  <Link to="/templates" className="mb-1 inline-block text-sm text-indigo-700 hover:underline">
    ← Templates
  </Link>
);

function isTemplateChannel(value: string | null): value is TemplateChannel {
  return TEMPLATE_CHANNELS.some((c) => c.value === value);
}

export default function TemplateEditorPage() {
  const { templateId } = useParams();
  const [params] = useSearchParams();
  const id = templateId === undefined ? null : Number(templateId);
  const valid = id === null || (Number.isSafeInteger(id) && id > 0);
  const template = useQuery({
    queryKey: ['template', id],
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/templates/{id}', { params: { path: { id: id! } }, signal })),
    enabled: id !== null && valid,
  });

  if (!valid || template.isError) {
    return (
      <>
        <PageHeader title="Template" back={back} />
        {valid ? (
          <ErrorState
            error={template.error}
            retry={
              template.error instanceof ApiProblem && template.error.status === 404
                ? undefined
                : () => void template.refetch()
            }
            title={
              template.error instanceof ApiProblem && template.error.status === 404
                ? 'This template does not exist (it may have been deleted)'
                : 'The template cannot be loaded'
            }
          />
        ) : (
          <Notice tone="warning">There is no template at this address.</Notice>
        )}
      </>
    );
  }
  if (id !== null && !template.data) {
    return (
      <>
        <PageHeader title="Template" back={back} />
        <Card className="p-5">
          <Skeleton rows={8} />
        </Card>
      </>
    );
  }
  const channel = params.get('channel');
  return (
    <TemplateEditor
      // A new template, once saved, is another page: its own form, from what the server saved.
      key={id ?? 'new'}
      saved={template.data ?? null}
      initialChannel={isTemplateChannel(channel) ? channel : 'sms'}
    />
  );
}

function TemplateEditor({ saved, initialChannel }: { saved: Template | null; initialChannel: TemplateChannel }) {
  const { can } = useSession();
  const writable = can('write');
  const client = useQueryClient();
  const navigate = useNavigate();
  const location = useLocation();
  const created = (location.state as { created?: boolean } | null)?.created === true;
  const base = saved ? toForm(saved) : emptyForm(initialChannel);
  const [form, setForm] = useState<TemplateForm>(base);
  const [deleting, setDeleting] = useState(false);
  // Fields changed since the last save was refused: their messages were about what they held then.
  const [changed, setChanged] = useState<ReadonlySet<TemplateField>>(new Set());
  const dirty = isDirty(base, form);

  const save = useMutation({
    mutationFn: (f: TemplateForm) => {
      const body = toInput(f);
      return saved
        ? unwrap(api.PUT('/api/v1/templates/{id}', { params: { path: { id: saved.id } }, body }))
        : unwrap(api.POST('/api/v1/templates', { body }));
    },
    onSuccess: (t) => {
      client.setQueryData(['template', t.id], t);
      void client.invalidateQueries({ queryKey: ['templates'] });
      if (!saved) navigate(`/templates/${t.id}`, { replace: true, state: { created: true } });
    },
  });
  const remove = useMutation({
    mutationFn: (t: Template) =>
      unwrap(api.DELETE('/api/v1/templates/{id}', { params: { path: { id: t.id } } })).then(() => t),
    onSuccess: (t) => {
      client.removeQueries({ queryKey: ['template', t.id] });
      // Gone from the cached list at once, so the list page never shows it while its refetch is on the way.
      client.setQueryData<{ items: Template[] }>(['templates'], (list) =>
        list ? { ...list, items: list.items.filter((item) => item.id !== t.id) } : list,
      );
      void client.invalidateQueries({ queryKey: ['templates'] });
      navigate('/templates', { state: { deleted: t.name } });
    },
  });
  const problem = save.error instanceof ApiProblem ? save.error : null;
  const errors = fieldErrors(problem);
  const at = (field: TemplateField) => (changed.has(field) ? undefined : errors.at[field]);
  const marked = (Object.keys(errors.at) as TemplateField[]).some((f) => !changed.has(f));
  const email = hasSubject(form.channel);

  const set = <K extends keyof TemplateForm>(key: K, value: TemplateForm[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    if (save.isSuccess) save.reset();
    if (save.isError && !changed.has(key)) setChanged(new Set([...changed, key]));
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!writable) return;
    setChanged(new Set());
    save.mutate(form);
  };

  const title = saved ? saved.name : 'New template';
  return (
    <>
      <PageHeader
        title={title}
        back={back}
        description={
          saved ? (
            <span className="inline-flex flex-wrap items-center gap-2">
              {saved.starter && <Badge tone="info">Starter</Badge>}
              <span>Changed {formatDateTime(saved.updated_at)}</span>
            </span>
          ) : (
            'A message to reuse: campaigns start from a copy, so later changes never alter one already made.'
          )
        }
        actions={
          saved &&
          writable && (
            <Button variant="secondary" onClick={() => setDeleting(true)}>
              Delete template
            </Button>
          )
        }
      />
      <form onSubmit={submit} noValidate className="space-y-6" aria-label="Template">
        {!writable && <Notice tone="warning">Your role can read templates but not change them.</Notice>}
        {(save.isSuccess && !dirty) || (created && !dirty && !save.isError) ? (
          <p role="status" className="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-900">
            Saved “{saved?.name ?? form.name}”.
          </p>
        ) : null}
        <fieldset disabled={!writable} className="min-w-0 space-y-6">
          <legend className="sr-only">Template</legend>
          <Card>
            <CardHeader title="Name and channel" />
            <CardBody className="grid gap-4 sm:grid-cols-2">
              <TextField
                label="Name"
                hint="For you and your team; unique in the workspace."
                autoComplete="off"
                maxLength={100}
                value={form.name}
                onChange={(e) => set('name', e.target.value)}
                errors={at('name')}
              />
              <SelectField
                label="Channel"
                value={form.channel}
                onChange={(e) => set('channel', e.target.value as TemplateChannel)}
                errors={at('channel')}
              >
                {TEMPLATE_CHANNELS.map((c) => (
                  <option key={c.value} value={c.value}>
                    {c.label}
                  </option>
                ))}
              </SelectField>
              {email && (
                <>
                  <TextField
                    label="Subject"
                    hint={
                      'One line of up to 200 characters; variables work here too, e.g. {{ first_name | default("there") }}.'
                    }
                    autoComplete="off"
                    value={form.subject}
                    onChange={(e) => set('subject', e.target.value)}
                    errors={at('subject')}
                    fieldClassName="sm:col-span-2"
                  />
                  <TextField
                    label="Preheader"
                    hint="The preview text most inboxes show after the subject, up to 150 characters."
                    autoComplete="off"
                    value={form.preheader}
                    onChange={(e) => set('preheader', e.target.value)}
                    errors={at('preheader')}
                    fieldClassName="sm:col-span-2"
                  />
                </>
              )}
            </CardBody>
          </Card>
          <Card>
            <CardHeader
              title="Body"
              description={
                email
                  ? 'Built from blocks (or written as MJML or HTML), with the unsubscribe link every marketing e-mail must carry.'
                  : 'The text of the message, with variables filled in for each customer.'
              }
            />
            <CardBody>
              {writable ? (
                <MessageComposer
                  label="Body"
                  template={form.body}
                  onTemplateChange={(body) => set('body', body)}
                  channel={form.channel}
                  errors={at('body')}
                  rows={email ? 10 : 5}
                  suggestions={false}
                  subject={form.subject}
                  preheader={form.preheader}
                />
              ) : (
                <TextAreaField label="Body" value={form.body} readOnly rows={email ? 10 : 5} className="font-mono" />
              )}
            </CardBody>
          </Card>
        </fieldset>
        {errors.other.length > 0 && (
          <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
            Not saved: {errors.other.join('; ')}
          </p>
        )}
        {marked && errors.other.length === 0 && (
          <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
            Not saved: see the marked fields.
          </p>
        )}
        {save.isError && !problem && <ErrorState error={save.error} title="The template was not saved" />}
        {writable && (
          <div className="flex flex-wrap items-center justify-end gap-3">
            <Link className={buttonClass('secondary')} to="/templates">
              {dirty ? 'Cancel' : 'Back to templates'}
            </Link>
            <Button type="submit" busy={save.isPending} disabled={saved !== null && !dirty}>
              {saved ? 'Save changes' : 'Save template'}
            </Button>
          </div>
        )}
      </form>
      {saved && (
        <Dialog
          open={deleting}
          onOpenChange={(open) => {
            setDeleting(open);
            if (!open) remove.reset();
          }}
          title="Delete this template?"
          description={`“${saved.name}” goes from the list. Campaigns made from it keep their copy of the message.`}
          footer={
            <>
              <Button variant="secondary" onClick={() => setDeleting(false)}>
                Keep it
              </Button>
              <Button variant="danger" busy={remove.isPending} onClick={() => remove.mutate(saved)}>
                Delete template
              </Button>
            </>
          }
        >
          {remove.isError ? (
            <p role="alert" className="text-sm text-red-700">
              {errorMessage(remove.error)}
            </p>
          ) : null}
        </Dialog>
      )}
    </>
  );
}

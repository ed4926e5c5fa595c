// The campaign composer: name, audience (a saved segment or a rule built here), channel, message with a live
// preview, send now or at a time, and a confirmation that states the exact audience size. It saves as you
// type: the first edit creates a draft, later ones patch it; /campaigns/:id/edit opens a draft (or a
// scheduled campaign) in the same composer.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useMemo, useRef, useState } from 'react';
import type { RuleGroupType } from 'react-querybuilder';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';

import { api, unwrap } from '@/api/client';
import { ApiProblem, errorMessage } from '@/api/problem';
import { AudienceBuilder } from '@/audience/AudienceBuilder';
import type { ServerRule } from '@/audience/fields';
import { useAudiencePreview } from '@/audience/usePreview';
import { useSession } from '@/auth/session';
import { Button } from '@/components/Button';
import { Card, CardBody, CardHeader } from '@/components/Card';
import { Dialog } from '@/components/Dialog';
import { SelectField, TextField } from '@/components/Field';
import { PageHeader } from '@/components/Page';
import { ErrorState, Notice, Skeleton } from '@/components/States';
import { formatCount, formatDateTime, toLocalInput } from '@/lib/format';
import { useCompliance, useCurrency, useSegmentFields, useTemplates, useWorkspaceProfile } from '@/lib/queries';

import { BrandWarning } from './BrandWarning';
import { CampaignReach } from './CampaignReach';
import { Choice } from './Choice';
import {
  composerStart,
  createBody,
  patchBody,
  plannedAt,
  UNTITLED,
  type DraftAudience,
  type DraftFields,
} from './draft';
import { MessageComposer } from './MessageComposer';
import type { ReachBody } from './reach';
import { SaveIndicator } from './SaveIndicator';
import { channelLabel, CHANNELS, type Campaign, type SendChannel } from './shared';
import { TemplatePicker } from './TemplatePicker';
import { useAutosave } from './useAutosave';

type AudienceMode = 'segment' | 'rule';

const back = (
  <Link to="/campaigns" className="mb-1 inline-block text-sm text-indigo-700 hover:underline">
    ← Campaigns
  </Link>
);

/**
 * /campaigns/new and /campaigns/:id/edit. A draft created here moves the address to its edit route without
 * leaving this composer (the same element stays mounted), so nothing typed meanwhile is lost.
 */
export default function NewCampaignPage() {
  const { campaignId } = useParams();
  const { can } = useSession();
  const [createdHere, setCreatedHere] = useState<number | null>(null);
  const id = campaignId ? Number(campaignId) : null;
  const loading = id !== null && id !== createdHere;
  const existing = useQuery({
    queryKey: ['campaign', id],
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/campaigns/{id}', { params: { path: { id: id! } }, signal })),
    enabled: loading,
    staleTime: 0,
  });

  if (!can('write')) {
    return (
      <>
        <PageHeader title="New campaign" back={back} />
        <Notice tone="warning">Your role can read campaigns but not create them.</Notice>
      </>
    );
  }
  if (!loading) return <Composer key="new" existing={null} onCreated={setCreatedHere} />;
  if (existing.isError)
    return (
      <>
        <PageHeader title="Edit campaign" back={back} />
        <ErrorState error={existing.error} retry={() => void existing.refetch()} />
      </>
    );
  if (!existing.data)
    return (
      <>
        <PageHeader title="Edit campaign" back={back} />
        <Skeleton rows={8} />
      </>
    );
  const c = existing.data;
  if (c.status !== 'draft' && c.status !== 'scheduled')
    return (
      <>
        <PageHeader title={c.name} back={back} />
        <Notice tone="warning">
          This campaign is {c.status}: only drafts and scheduled campaigns can be edited.{' '}
          <Link className="text-indigo-700 underline" to={`/campaigns/${c.id}`}>
            See the campaign
          </Link>
          .
        </Notice>
      </>
    );
  return <Composer key={c.id} existing={c} onCreated={setCreatedHere} />;
}

function Composer({ existing, onCreated }: { existing: Campaign | null; onCreated: (id: number) => void }) {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const client = useQueryClient();
  const catalogue = useSegmentFields();
  const currency = useCurrency();
  const [start] = useState(() => {
    if (existing) return composerStart(existing);
    const initialSegment = params.get('segment');
    const segmentId = initialSegment ? Number(initialSegment) : null;
    const saved: DraftFields = {
      name: '',
      channel: 'sms',
      template: '',
      topic: '',
      audience: segmentId !== null ? { segment_id: segmentId } : null,
      send_at: null,
    };
    return {
      saved,
      query: { combinator: 'and', not: false, rules: [] } as RuleGroupType,
      when: 'now' as const,
      localSendAt: toLocalInput(new Date(Date.now() + 60 * 60_000)),
      segmentId,
    };
  });
  const scheduled = existing?.status === 'scheduled';
  const [name, setName] = useState(start.saved.name);
  const [mode, setMode] = useState<AudienceMode>(start.segmentId !== null ? 'segment' : 'rule');
  const [segmentId, setSegmentId] = useState<number | null>(start.segmentId);
  const [query, setQuery] = useState<RuleGroupType>(start.query);
  const [channel, setChannel] = useState<SendChannel>(start.saved.channel);
  const [template, setTemplate] = useState(start.saved.template);
  const [topic, setTopic] = useState(start.saved.topic);
  const compliance = useCompliance();
  const profile = useWorkspaceProfile();
  const templates = useTemplates();
  const topics = compliance.data?.topics ?? [];
  const [when, setWhen] = useState<'now' | 'later'>(start.when);
  const [sendAt, setSendAt] = useState(start.localSendAt);
  const [confirming, setConfirming] = useState(false);
  // One key per composed campaign: a double click or a retried request cannot create the draft twice.
  const [idempotencyKey] = useState(() => crypto.randomUUID());
  const draftId = useRef<number | null>(existing?.id ?? null);

  const segments = useQuery({
    queryKey: ['segments'],
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/segments', { signal })),
  });
  const audience = useAudiencePreview(query, catalogue.data);
  const segmentPreview = useQuery({
    queryKey: ['segment-preview', segmentId],
    queryFn: ({ signal }) =>
      unwrap(api.POST('/api/v1/segments/preview', { body: { segment_id: segmentId, sample_size: 5 }, signal })),
    enabled: mode === 'segment' && segmentId !== null,
  });
  const current = mode === 'segment' ? segmentPreview.data : audience.preview.data;
  const count = current?.count;
  const sample = current?.sample[0] ?? null;
  const rule = mode === 'rule' ? audience.serverRule : null;
  const segmentRule = useMemo(
    () => segments.data?.items.find((s) => s.id === segmentId)?.rule as ServerRule | undefined,
    [segments.data, segmentId],
  );

  // Who the campaign would reach, asked when the dialog opens (and again if the audience, channel or topic
  // changes while it is open): exact, but it reads every matched customer, so never per keystroke.
  const reachBody = useMemo<ReachBody | null>(() => {
    const common = { channel, topic: topic || null };
    if (mode === 'segment') return segmentId !== null ? { ...common, segment_id: segmentId } : null;
    return rule ? { ...common, rule } : null;
  }, [mode, segmentId, rule, channel, topic]);
  const reach = useQuery({
    queryKey: ['campaign-reach', reachBody],
    queryFn: ({ signal }) => unwrap(api.POST('/api/v1/campaigns/reach', { body: reachBody!, signal })),
    enabled: confirming && reachBody !== null,
    staleTime: 0,
    retry: false,
    refetchOnWindowFocus: false,
    refetchOnReconnect: false,
  });

  // What the server should hold: an unfinished audience is not sent yet (a draft keeps its last good one).
  const draftAudience = useMemo<DraftAudience>(() => {
    if (mode === 'segment') return segmentId !== null ? { segment_id: segmentId } : null;
    return audience.incomplete.size === 0 && audience.serverRule.rules.length > 0
      ? { rule: audience.serverRule }
      : null;
  }, [mode, segmentId, audience.incomplete, audience.serverRule]);
  const fields = useMemo<DraftFields>(
    () => ({ name, channel, template, topic, audience: draftAudience, send_at: plannedAt(when, sendAt) }),
    [name, channel, template, topic, draftAudience, when, sendAt],
  );
  const save = useCallback(
    async (changes: Partial<DraftFields>, all: DraftFields) => {
      if (draftId.current === null) {
        const created = await unwrap(api.POST('/api/v1/campaigns', { body: createBody(all, idempotencyKey) }));
        draftId.current = created.id;
        onCreated(created.id);
        void client.invalidateQueries({ queryKey: ['campaigns'] });
        navigate(`/campaigns/${created.id}/edit`, { replace: true });
        return;
      }
      const body = patchBody(changes, all);
      if (!body) return;
      await unwrap(api.PATCH('/api/v1/campaigns/{id}', { params: { path: { id: draftId.current } }, body }));
      void client.invalidateQueries({ queryKey: ['campaigns'] });
    },
    [client, idempotencyKey, navigate, onCreated],
  );
  const autosave = useAutosave({ value: fields, saved: start.saved, save });

  const launch = useMutation({
    mutationFn: async () => {
      await autosave.flush();
      const id = draftId.current;
      if (id === null) throw new ApiProblem(0, 'Nothing to launch', 'Write the campaign first.');
      // "Now" is said explicitly: a draft may still carry a planned time from an earlier choice.
      const at = when === 'later' && !scheduled ? plannedAt(when, sendAt) : new Date().toISOString();
      return unwrap(api.POST('/api/v1/campaigns/{id}/launch', { params: { path: { id } }, body: { send_at: at } }));
    },
    onSuccess: (launched) => {
      void client.invalidateQueries({ queryKey: ['campaigns'] });
      client.removeQueries({ queryKey: ['campaign', launched.id] });
      navigate(`/campaigns/${launched.id}`);
    },
    onError: () => setConfirming(false),
  });
  const saveError = autosave.state.kind === 'error' ? autosave.state.error : null;
  const launchProblem = launch.error instanceof ApiProblem ? launch.error : null;
  const problem = launchProblem ?? (saveError instanceof ApiProblem ? saveError : null);
  const ready =
    name.trim() !== '' &&
    template.trim() !== '' &&
    count !== undefined &&
    count > 0 &&
    (mode === 'rule' ? audience.incomplete.size === 0 : segmentId !== null);
  const title = existing ? (scheduled ? 'Edit scheduled campaign' : 'Edit draft') : 'New campaign';

  if (catalogue.isError) return <ErrorState error={catalogue.error} retry={() => void catalogue.refetch()} />;

  return (
    <>
      <PageHeader
        title={title}
        back={back}
        description={
          scheduled
            ? `Scheduled for ${formatDateTime(existing?.send_at)}. Changes are saved as you type, once they are valid.`
            : 'Pick who gets it, write the message, and send now or later. Your draft is saved as you type.'
        }
        actions={<SaveIndicator state={autosave.state} dirty={autosave.dirty} />}
      />
      <div className="space-y-6">
        <Card>
          <CardHeader title="1. Name" />
          <CardBody>
            <TextField
              label="Campaign name"
              hint="For you; customers never see it."
              value={name}
              onChange={(e) => setName(e.target.value)}
              errors={problem?.messagesFor('name')}
              fieldClassName="max-w-lg"
            />
          </CardBody>
        </Card>

        <Card>
          <CardHeader
            title="2. Audience"
            description={
              count !== undefined
                ? `${formatCount(count)} customers match now.`
                : 'Choose a saved segment or build a rule.'
            }
          />
          <CardBody className="space-y-4">
            <fieldset className="flex flex-wrap gap-2">
              <legend className="sr-only">Audience source</legend>
              <Choice
                name="audience-mode"
                value="rule"
                checked={mode === 'rule'}
                onChange={() => setMode('rule')}
                label="Build a rule"
              />
              <Choice
                name="audience-mode"
                value="segment"
                checked={mode === 'segment'}
                onChange={() => setMode('segment')}
                label="Saved segment"
              />
            </fieldset>
            {mode === 'segment' ? (
              <div className="max-w-lg space-y-2">
                <SelectField
                  label="Segment"
                  value={segmentId ?? ''}
                  onChange={(e) => setSegmentId(e.target.value ? Number(e.target.value) : null)}
                  errors={problem?.messagesFor('segment_id')}
                >
                  <option value="">Choose a segment…</option>
                  {segments.data?.items.map((s) => (
                    <option key={s.id} value={s.id}>
                      {s.name}
                    </option>
                  ))}
                </SelectField>
                {segmentPreview.data && (
                  <p className="text-sm text-slate-700" aria-live="polite">
                    <span className="font-semibold tabular-nums" data-testid="segment-count">
                      {formatCount(segmentPreview.data.count)}
                    </span>{' '}
                    customers match now.
                  </p>
                )}
                {segmentPreview.isError && <p className="text-sm text-red-700">{errorMessage(segmentPreview.error)}</p>}
              </div>
            ) : catalogue.data ? (
              <AudienceBuilder
                catalogue={catalogue.data}
                query={query}
                onQueryChange={setQuery}
                audience={audience}
                extraProblem={problem}
                currency={currency}
              />
            ) : (
              <Skeleton rows={4} />
            )}
          </CardBody>
        </Card>

        <Card>
          <CardHeader title="3. Message" />
          <CardBody className="space-y-4">
            <SelectField
              label="Channel"
              value={channel}
              onChange={(e) => setChannel(e.target.value as SendChannel)}
              errors={problem?.messagesFor('channel')}
              fieldClassName="max-w-xs"
            >
              {CHANNELS.map((c) => (
                <option key={c.value} value={c.value}>
                  {c.label}
                </option>
              ))}
            </SelectField>
            <SelectField
              label="Topic (optional)"
              value={topic}
              onChange={(e) => setTopic(e.target.value)}
              errors={problem?.messagesFor('topic')}
              disabled={topics.length === 0 && !topic}
              hint={
                topics.length === 0 ? (
                  <>
                    This workspace has no topics yet; add them on the{' '}
                    <Link className="text-indigo-700 underline" to="/settings/compliance">
                      Compliance page
                    </Link>
                    .
                  </>
                ) : (
                  'Customers who left this topic are skipped; the unsubscribe page lets them leave it alone.'
                )
              }
              fieldClassName="max-w-xs"
            >
              <option value="">No topic</option>
              {topics.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </SelectField>
            <TemplatePicker
              templates={templates.data?.items}
              loading={templates.isPending}
              error={templates.isError ? errorMessage(templates.error) : undefined}
              channel={channel}
              message={template}
              onPick={(t) => setTemplate(t.body)}
            />
            <MessageComposer
              template={template}
              onTemplateChange={setTemplate}
              channel={channel}
              sampleCustomer={sample}
              rule={rule ?? segmentRule ?? null}
              errors={problem?.under('template').map((e) => e.message)}
              subject={existing?.subject || name.trim() || UNTITLED}
              preheader={existing?.preheader ?? null}
            />
          </CardBody>
        </Card>

        <Card>
          <CardHeader title="4. When" />
          <CardBody className="space-y-4">
            <fieldset className="flex flex-wrap gap-2">
              <legend className="sr-only">When to send</legend>
              <Choice
                name="when"
                value="now"
                checked={when === 'now'}
                onChange={() => setWhen('now')}
                label="Send now"
              />
              <Choice
                name="when"
                value="later"
                checked={when === 'later'}
                onChange={() => setWhen('later')}
                label="Schedule"
              />
            </fieldset>
            {when === 'later' && (
              <TextField
                label="Send at (your local time)"
                type="datetime-local"
                value={sendAt}
                onChange={(e) => setSendAt(e.target.value)}
                errors={problem?.messagesFor('send_at')}
                fieldClassName="max-w-xs"
              />
            )}
          </CardBody>
        </Card>

        {launch.isError && !(launchProblem && launchProblem.errors.length > 0) && (
          <ErrorState error={launch.error} title="The campaign was not launched" />
        )}
        {problem && problem.errors.length > 0 && (
          <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
            {launchProblem ? 'Not launched' : 'Not saved'}:{' '}
            {problem.errors.length === 1 ? 'one field needs' : `${problem.errors.length} fields need`} fixing (marked
            above).
          </p>
        )}
        <div className="flex flex-wrap items-center justify-end gap-3">
          {!ready && (
            <p className="text-sm text-slate-600">
              Name the campaign, choose an audience that matches someone, and write a message.
            </p>
          )}
          <SaveIndicator state={autosave.state} dirty={autosave.dirty} announce={false} />
          {scheduled && when === 'later' ? (
            <Button variant="secondary" onClick={() => navigate(`/campaigns/${existing.id}`)}>
              Done
            </Button>
          ) : (
            <Button disabled={!ready} onClick={() => setConfirming(true)}>
              {when === 'now' ? 'Review and send' : 'Review and schedule'}
            </Button>
          )}
        </div>
      </div>
      <Dialog
        open={confirming}
        onOpenChange={setConfirming}
        title={when === 'now' ? 'Send this campaign now?' : 'Schedule this campaign?'}
        description={`“${name}” goes to ${formatCount(count ?? 0)} customers by ${channelLabel(channel)}${topic ? ` (topic “${topic}”)` : ''}${when === 'later' ? `, ${formatDateTime(new Date(sendAt).toISOString())}` : ', starting now'}. The audience is fixed when you confirm.`}
        footer={
          <>
            <Button variant="secondary" onClick={() => setConfirming(false)}>
              Back
            </Button>
            <Button busy={launch.isPending} onClick={() => launch.mutate()}>
              {when === 'now' ? `Send to ${formatCount(count ?? 0)} customers` : 'Schedule'}
            </Button>
          </>
        }
      >
        <div className="space-y-3">
          <BrandWarning profile={profile.data} template={template} />
          <CampaignReach reach={reach} channel={channel} />
        </div>
      </Dialog>
    </>
  );
}

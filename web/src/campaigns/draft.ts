// A campaign being composed, as the autosave compares it, and the request bodies it becomes: the whole of it
// when the draft is created, only what changed when it is patched.
import type { Schemas } from '@/api/client';
import { fromServerRule, toServerRule, type ServerRule } from '@/audience/fields';
import { toLocalInput } from '@/lib/format';

import type { Campaign, SendChannel } from './shared';

/** Where the audience comes from, once it is complete enough to be sent (null: not yet). */
export type DraftAudience = { segment_id: number } | { rule: ServerRule } | null;

export type DraftFields = {
  name: string;
  channel: SendChannel;
  template: string;
  topic: string;
  audience: DraftAudience;
  /** The planned time (RFC 3339) when the marketer schedules; null: send when launched. */
  send_at: string | null;
};

/** The name a draft gets while the marketer has not named it yet. */
export const UNTITLED = 'Untitled campaign';

/** A `datetime-local` value as the instant the server is sent. */
export function plannedAt(when: 'now' | 'later', localInput: string): string | null {
  if (when !== 'later') return null;
  const at = new Date(localInput);
  return Number.isNaN(at.getTime()) ? null : at.toISOString();
}

/** The body that creates the draft from everything composed so far. */
export function createBody(all: DraftFields, idempotencyKey: string): Schemas['CreateCampaignBody'] {
  return {
    status: 'draft',
    name: all.name.trim() || UNTITLED,
    channel: all.channel,
    template: all.template,
    topic: all.topic || null,
    ...(all.audience ?? {}),
    ...(all.send_at ? { send_at: all.send_at } : {}),
    idempotency_key: idempotencyKey,
  };
}

/**
 * The body that saves `changes`; null when none of them can be sent yet. An emptied name, an unfinished
 * audience and "send when launched" are kept back: a draft keeps its last good value of each.
 */
export function patchBody(changes: Partial<DraftFields>, all: DraftFields): Schemas['EditCampaignBody'] | null {
  const body: Schemas['EditCampaignBody'] = {};
  if ('name' in changes && all.name.trim()) body.name = all.name.trim();
  if ('channel' in changes) body.channel = all.channel;
  if ('template' in changes) body.template = all.template;
  // An empty string clears the topic.
  if ('topic' in changes) body.topic = all.topic;
  if ('audience' in changes && all.audience) Object.assign(body, all.audience);
  if ('send_at' in changes && all.send_at) body.send_at = all.send_at;
  return Object.keys(body).length ? body : null;
}

/** The composer's starting state for a saved campaign (a draft, or a scheduled one). */
export function composerStart(c: Campaign) {
  const later = c.status === 'scheduled' || new Date(c.send_at).getTime() > Date.now() + 60_000;
  const query = fromServerRule(c.rule ?? { combinator: 'and', not: false, rules: [] });
  const localSendAt = later ? toLocalInput(new Date(c.send_at)) : toLocalInput(new Date(Date.now() + 60 * 60_000));
  const rule = toServerRule(query);
  const audience: DraftAudience =
    c.segment_id != null ? { segment_id: c.segment_id } : c.rule && rule.rules.length > 0 ? { rule } : null;
  const when: 'now' | 'later' = later ? 'later' : 'now';
  const saved: DraftFields = {
    name: c.name,
    channel: c.channel,
    template: c.template,
    topic: c.topic ?? '',
    audience,
    send_at: plannedAt(when, localSendAt),
  };
  return { saved, query, when, localSendAt, segmentId: c.segment_id ?? null };
}

import { describe, expect, it } from 'vitest';

import { ApiProblem } from '@/api/problem';

import {
  emptyForm,
  excerpt,
  fieldErrors,
  groupByChannel,
  isDirty,
  NAME_TAKEN,
  replacingLosesText,
  templatesFor,
  toForm,
  toInput,
  type Template,
} from './templates';

function template(id: number, channel: Template['channel'], name: string, body = `Body ${id}`): Template {
  return {
    id,
    name,
    channel,
    body,
    subject: channel === 'email' ? `Subject ${id}` : null,
    preheader: null,
    starter: id < 10,
    created_at: '2025-01-01T00:00:00Z',
    updated_at: '2025-01-01T00:00:00Z',
  };
}

const LIST = [
  template(1, 'email', 'Offer (e-mail)'),
  template(2, 'email', 'Welcome (e-mail)'),
  template(3, 'sms', 'Offer (SMS)'),
  template(4, 'whatsapp', 'Welcome (WhatsApp)'),
  template(5, 'sms', 'Welcome (SMS)'),
];

describe('the template list', () => {
  it('groups by channel in the pages’ order, keeping the server’s order within a channel', () => {
    const groups = groupByChannel(LIST);
    expect(groups.map((g) => [g.channel, g.label, g.templates.map((t) => t.id)])).toEqual([
      ['sms', 'SMS', [3, 5]],
      ['whatsapp', 'WhatsApp', [4]],
      ['email', 'E-mail', [1, 2]],
    ]);
  });

  it('keeps a channel without templates, empty', () => {
    expect(groupByChannel([LIST[0]!]).map((g) => g.templates.length)).toEqual([0, 0, 1]);
  });
});

describe('a body excerpt', () => {
  it('is the text of e-mail HTML, variables kept, whitespace collapsed', () => {
    const body =
      '<h1>Welcome to {{ brand }}, {{ first_name | default("friend") }}!</h1>\n<p>Fish &amp; chips   ship free.</p>' +
      '<style>p { color: red }</style><a href="{{ unsubscribe_url }}">Unsubscribe</a>';
    expect(excerpt(body, 'email', 200)).toBe(
      'Welcome to {{ brand }}, {{ first_name | default("friend") }}! Fish & chips ship free. Unsubscribe',
    );
  });

  it('leaves SMS text alone, angle brackets and all', () => {
    expect(excerpt('{% if visits > 3 %}<3 thanks{% endif %}', 'sms')).toBe('{% if visits > 3 %}<3 thanks{% endif %}');
  });

  it('is cut at a word, with an ellipsis, within the limit', () => {
    const long = 'Hi there, this weekend only: twenty percent off everything in the shop, online and in store!';
    const cut = excerpt(long, 'sms', 40);
    expect(cut.length).toBeLessThanOrEqual(40);
    expect(cut).toBe('Hi there, this weekend only: twenty…');
    expect(excerpt('short', 'sms', 40)).toBe('short');
  });

  it('cuts a word without spaces where it must', () => {
    expect(excerpt('x'.repeat(50), 'sms', 10)).toBe(`${'x'.repeat(9)}…`);
  });
});

describe('the template form', () => {
  it('sends the subject and preheader for e-mail only, empty as null, trimmed', () => {
    const form = {
      name: ' Spring ',
      channel: 'email' as const,
      subject: ' Hi {{ first_name }} ',
      preheader: '',
      body: 'B',
    };
    expect(toInput(form)).toEqual({
      name: 'Spring',
      channel: 'email',
      body: 'B',
      subject: 'Hi {{ first_name }}',
      preheader: null,
    });
    // Switched to SMS after typing a subject: the server refuses a subject there, so it is not sent.
    expect(toInput({ ...form, channel: 'sms' })).toEqual({
      name: 'Spring',
      channel: 'sms',
      body: 'B',
      subject: null,
      preheader: null,
    });
  });

  it('reads a saved template and tells a change from none', () => {
    const saved = toForm(LIST[0]!);
    expect(saved).toEqual({
      name: 'Offer (e-mail)',
      channel: 'email',
      subject: 'Subject 1',
      preheader: '',
      body: 'Body 1',
    });
    expect(isDirty(saved, { ...saved })).toBe(false);
    expect(isDirty(saved, { ...saved, name: 'Offer (e-mail) ' })).toBe(false);
    expect(isDirty(saved, { ...saved, body: 'Body 1!' })).toBe(true);
    expect(isDirty(emptyForm(), emptyForm())).toBe(false);
    expect(emptyForm('whatsapp').channel).toBe('whatsapp');
  });

  it('puts each server message at its field, and a taken name at the name', () => {
    const invalid = new ApiProblem(422, 'Invalid', 'invalid', [
      { field: 'body', message: 'line 1, column 4: unknown variable `frist_name` — did you mean `first_name`?' },
      { field: 'subject', message: 'must be one line' },
      { field: 'body', message: 'e-mail templates must contain {{ unsubscribe_url }}' },
      { field: 'template_id', message: 'odd' },
    ]);
    const { at, other } = fieldErrors(invalid);
    expect(at.body).toHaveLength(2);
    expect(at.subject).toEqual(['must be one line']);
    expect(at.name).toBeUndefined();
    expect(other).toEqual(['template_id: odd']);

    const taken = fieldErrors(new ApiProblem(409, 'Conflict', 'a template with this name already exists'));
    expect(taken).toEqual({ at: { name: [NAME_TAKEN] }, other: [] });
    expect(fieldErrors(null)).toEqual({ at: {}, other: [] });
  });
});

describe('starting a campaign from a template', () => {
  it('offers the channel’s templates, or all of them for each customer’s preferred channel', () => {
    expect(templatesFor(LIST, 'sms').map((t) => t.id)).toEqual([3, 5]);
    expect(templatesFor(LIST, 'email').map((t) => t.id)).toEqual([1, 2]);
    expect(templatesFor(LIST, 'preferred')).toHaveLength(LIST.length);
  });

  it('asks before replacing text the marketer wrote, not an empty or untouched message', () => {
    expect(replacingLosesText('', LIST)).toBe(false);
    expect(replacingLosesText('  \n', LIST)).toBe(false);
    expect(replacingLosesText('Body 3', LIST)).toBe(false);
    expect(replacingLosesText('Body 3, edited', LIST)).toBe(true);
  });
});

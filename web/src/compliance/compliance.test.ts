import { describe, expect, it } from 'vitest';

import { hasUnsubscribeLink, needsUnsubscribeLink, withUnsubscribeLink } from '@/campaigns/template';
import { exportFileName } from '@/customers/exportFile';

import {
  changeField,
  consentTone,
  logReason,
  sourceLabel,
  statusLabel,
  subjectLabel,
  subscriptionChange,
  topicRows,
  type Subscriptions,
} from './consent';
import { addTopic, isPlaced, toForm, toInput, type Compliance } from './form';

const at = '2026-12-01T10:00:00Z';

describe('log reasons', () => {
  it('reads the consent decisions of the dispatcher', () => {
    expect(logReason('SKIPPED', 'unsubscribed')).toEqual({ text: 'Unsubscribed', consent: true });
    expect(logReason('SKIPPED', 'suppressed')).toEqual({ text: 'On the suppression list', consent: true });
    expect(logReason('SKIPPED', 'frequency_cap')).toEqual({ text: 'Frequency cap reached', consent: true });
    expect(logReason('SKIPPED', 'no_consent')?.text).toMatch(/^No consent recorded/);
    expect(logReason('SKIPPED', 'pending')?.text).toBe('Consent not confirmed yet');
    expect(logReason('PENDING', 'quiet_hours')).toEqual({ text: 'Waiting for quiet hours to end', consent: true });
  });

  it('keeps any other error as the server wrote it, as an error', () => {
    expect(logReason('FAILED', 'vendor said 500')).toEqual({ text: 'vendor said 500', consent: false });
    // A consent word only means the consent decision under the status that goes with it.
    expect(logReason('FAILED', 'suppressed')).toEqual({ text: 'suppressed', consent: false });
    expect(logReason('SKIPPED', 'no address on the channel')?.consent).toBe(false);
    expect(logReason('SENT', null)).toBeNull();
    expect(logReason('SKIPPED', '')).toBeNull();
  });
});

describe('consent labels', () => {
  it('names statuses, sources and subjects', () => {
    expect(statusLabel('subscribed')).toBe('Subscribed');
    expect(statusLabel(undefined)).toBe('None recorded');
    expect(consentTone('unsubscribed')).toBe('danger');
    expect(consentTone(null)).toBe('neutral');
    expect(sourceLabel('unsubscribe_link')).toBe('Unsubscribe link');
    expect(sourceLabel('admin')).toBe('Changed in Converge');
    expect(sourceLabel('carrier')).toBe('carrier');
    expect(subjectLabel('email')).toBe('E-mail');
    expect(subjectLabel('whatsapp')).toBe('WhatsApp');
    expect(subjectLabel('topic:offers')).toBe('Topic “offers”');
  });

  it('lists the workspace topics, then topics only the customer still has', () => {
    const subs: Subscriptions = {
      topics: {
        offers: { status: 'unsubscribed', source: 'preferences', changed_at: at },
        retired: { status: 'unsubscribed', source: 'admin', changed_at: at },
      },
    };
    expect(topicRows(subs, ['newsletter', 'offers'])).toEqual([
      { topic: 'newsletter', view: null, listed: true },
      { topic: 'offers', view: subs.topics.offers, listed: true },
      { topic: 'retired', view: subs.topics.retired, listed: false },
    ]);
  });

  it('builds the change body and the field its errors name', () => {
    expect(subscriptionChange('channel', 'sms', 'unsubscribed')).toEqual({ channels: { sms: 'unsubscribed' } });
    expect(subscriptionChange('topic', 'offers', 'subscribed')).toEqual({ topics: { offers: 'subscribed' } });
    expect(changeField('channel', 'email')).toBe('channels.email');
    expect(changeField('topic', 'offers')).toBe('topics.offers');
  });
});

const saved: Compliance = {
  timezone: 'Asia/Kolkata',
  quiet_hours: { start: '21:00', end: '09:00' },
  frequency_cap: { messages: 3, days: 7 },
  policy: { email: 'opt_in', sms: 'allowed', whatsapp: 'allowed' },
  sms_opt_out_line: 'Reply STOP to opt out',
  topics: ['offers', 'newsletter'],
  double_opt_in: { email: true, sms: false, whatsapp: true },
};

describe('compliance form', () => {
  it('round-trips what the server answers', () => {
    expect(toInput(toForm(saved))).toEqual(saved);
  });

  it('reads and sends double opt-in per channel, off where the server has none', () => {
    const form = toForm(saved);
    expect(form.doubleOptIn).toEqual({ email: true, sms: false, whatsapp: true });
    const input = toInput({ ...form, doubleOptIn: { ...form.doubleOptIn, sms: true, whatsapp: false } });
    expect(input.double_opt_in).toEqual({ email: true, sms: true, whatsapp: false });
    const older: Compliance = { ...saved }; // as saved before the server knew double opt-in
    delete older.double_opt_in;
    expect(toForm(older).doubleOptIn).toEqual({ email: false, sms: false, whatsapp: false });
    expect(toInput(toForm({ ...saved, double_opt_in: { email: true } })).double_opt_in).toEqual({
      email: true,
      sms: false,
      whatsapp: false,
    });
  });

  it('sends null for a switched-off section and keeps its values for switching it on again', () => {
    const form = toForm(saved);
    const off = {
      ...form,
      quietHours: { ...form.quietHours, on: false },
      frequencyCap: { ...form.frequencyCap, on: false },
      optOutLine: { ...form.optOutLine, on: false },
    };
    const input = toInput(off);
    expect(input.quiet_hours).toBeNull();
    expect(input.frequency_cap).toBeNull();
    expect(input.sms_opt_out_line).toBeNull();
    expect(off.quietHours.start).toBe('21:00');
  });

  it('starts off sections the server has none of with usable values', () => {
    const form = toForm({
      ...saved,
      quiet_hours: null,
      frequency_cap: null,
      sms_opt_out_line: null,
      policy: {},
      double_opt_in: {},
    });
    expect(form.quietHours).toEqual({ on: false, start: '21:00', end: '09:00' });
    expect(form.frequencyCap).toEqual({ on: false, messages: '3', days: '7' });
    expect(form.optOutLine).toEqual({ on: false, text: 'Reply STOP to opt out' });
    expect(form.policy).toEqual({ email: 'allowed', sms: 'allowed', whatsapp: 'allowed' });
    expect(form.doubleOptIn).toEqual({ email: false, sms: false, whatsapp: false });
  });

  it('sends typed numbers as numbers and anything else as typed, for the server to name', () => {
    const form = toForm(saved);
    const input = toInput({
      ...form,
      timezone: ' Europe/Berlin ',
      frequencyCap: { on: true, messages: ' 5 ', days: '' },
    });
    expect(input.timezone).toBe('Europe/Berlin');
    expect(input.frequency_cap).toEqual({ messages: 5, days: '' });
    expect(toInput({ ...form, frequencyCap: { on: true, messages: '0', days: '1.5' } }).frequency_cap).toEqual({
      messages: 0,
      days: 1.5,
    });
  });

  it('adds topics once, trimmed', () => {
    expect(addTopic(['offers'], ' newsletter ')).toEqual(['offers', 'newsletter']);
    expect(addTopic(['offers'], 'offers')).toEqual(['offers']);
    expect(addTopic(['offers'], '  ')).toEqual(['offers']);
  });

  it('knows which server messages sit next to a field', () => {
    for (const field of [
      'timezone',
      'quiet_hours.start',
      'frequency_cap.days',
      'policy.whatsapp',
      'sms_opt_out_line',
      'topics',
      'topics[3]',
    ])
      expect(isPlaced(field)).toBe(true);
    for (const field of ['body', 'policy.fax', 'quiet_hours', 'topics[x]']) expect(isPlaced(field)).toBe(false);
  });
});

describe('unsubscribe link in the composer', () => {
  it('is needed when the message can go by e-mail', () => {
    expect(needsUnsubscribeLink('email')).toBe(true);
    expect(needsUnsubscribeLink('preferred')).toBe(true);
    expect(needsUnsubscribeLink('sms')).toBe(false);
  });

  it('is recognised however it is written', () => {
    expect(hasUnsubscribeLink('Bye {{ unsubscribe_url }}')).toBe(true);
    expect(hasUnsubscribeLink('{{unsubscribe_url}}')).toBe(true);
    expect(hasUnsubscribeLink('{{- unsubscribe_url -}}')).toBe(true);
    expect(hasUnsubscribeLink('{{ unsubscribe_url | default("") }}')).toBe(true);
    expect(hasUnsubscribeLink('{{ unsubscribe_urls }}')).toBe(false);
    expect(hasUnsubscribeLink('unsubscribe_url')).toBe(false);
  });

  it('is added on a line of its own', () => {
    expect(withUnsubscribeLink('')).toBe('Unsubscribe: {{ unsubscribe_url }}');
    expect(withUnsubscribeLink('Hi {{ first_name }}!\n')).toBe(
      'Hi {{ first_name }}!\n\nUnsubscribe: {{ unsubscribe_url }}',
    );
    expect(hasUnsubscribeLink(withUnsubscribeLink('Hi'))).toBe(true);
  });
});

describe('customer export', () => {
  it('names the file after the customer', () => {
    expect(exportFileName('WEB-IMP-1')).toBe('customer-WEB-IMP-1.json');
    expect(exportFileName('a/b c')).toBe('customer-a_b_c.json');
  });
});

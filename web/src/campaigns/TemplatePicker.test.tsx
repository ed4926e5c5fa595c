// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it } from 'vitest';

import type { Template } from '@/templates/templates';

import type { SendChannel } from './shared';
import { TemplatePicker } from './TemplatePicker';

function template(id: number, channel: Template['channel'], name: string, body: string): Template {
  return {
    id,
    name,
    channel,
    body,
    subject: null,
    preheader: null,
    starter: false,
    created_at: '2025-01-01T00:00:00Z',
    updated_at: '2025-01-01T00:00:00Z',
  };
}

const TEMPLATES = [
  template(1, 'email', 'Spring (e-mail)', '<p>Spring</p> {{ unsubscribe_url }}'),
  template(2, 'sms', 'Offer (SMS)', 'Offer for {{ first_name }}'),
  template(3, 'sms', 'Welcome (SMS)', 'Welcome to {{ brand }}'),
  template(4, 'whatsapp', 'Hello (WhatsApp)', 'Hello'),
];

/** The picker over a message the test can read, as the composer holds it. */
function Composer({ channel, initial = '' }: { channel: SendChannel; initial?: string }) {
  const [message, setMessage] = useState(initial);
  return (
    <MemoryRouter>
      <TemplatePicker templates={TEMPLATES} channel={channel} message={message} onPick={(t) => setMessage(t.body)} />
      <output data-testid="message">{message}</output>
    </MemoryRouter>
  );
}

const picker = () => screen.getByLabelText<HTMLSelectElement>('Start from a template');
const options = () =>
  Array.from(picker().querySelectorAll('option'))
    .map((o) => o.textContent)
    .slice(1);

afterEach(cleanup);

describe('start from a template', () => {
  it('lists the templates of the campaign’s channel only', () => {
    render(<Composer channel="sms" />);
    expect(options()).toEqual(['Offer (SMS)', 'Welcome (SMS)']);
  });

  it('lists every channel’s, grouped, for each customer’s preferred channel', () => {
    render(<Composer channel="preferred" />);
    const groups = Array.from(picker().querySelectorAll('optgroup')).map((g) => [
      g.label,
      Array.from(g.querySelectorAll('option')).map((o) => o.textContent),
    ]);
    expect(groups).toEqual([
      ['SMS', ['Offer (SMS)', 'Welcome (SMS)']],
      ['WhatsApp', ['Hello (WhatsApp)']],
      ['E-mail', ['Spring (e-mail)']],
    ]);
  });

  it('fills an empty message at once, and another template replaces an untouched one', () => {
    render(<Composer channel="sms" />);
    fireEvent.change(picker(), { target: { value: '3' } });
    expect(screen.getByTestId('message').textContent).toBe('Welcome to {{ brand }}');
    expect(picker().value).toBe('3');
    fireEvent.change(picker(), { target: { value: '2' } });
    expect(screen.getByTestId('message').textContent).toBe('Offer for {{ first_name }}');
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('asks before replacing what the marketer wrote', () => {
    render(<Composer channel="sms" initial="My own words" />);
    fireEvent.change(picker(), { target: { value: '2' } });
    expect(screen.getByRole('dialog', { name: 'Replace the message?' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Keep my message' }));
    expect(screen.getByTestId('message').textContent).toBe('My own words');
    expect(picker().value).toBe('');

    fireEvent.change(picker(), { target: { value: '2' } });
    fireEvent.click(screen.getByRole('button', { name: 'Use the template' }));
    expect(screen.getByTestId('message').textContent).toBe('Offer for {{ first_name }}');
  });

  it('says when the channel has no template', () => {
    render(
      <MemoryRouter>
        <TemplatePicker templates={[]} channel="whatsapp" message="" onPick={() => {}} />
      </MemoryRouter>,
    );
    expect(picker().disabled).toBe(true);
    expect(screen.getByText(/No saved template for this channel yet/)).toBeTruthy();
  });
});

// @vitest-environment jsdom
// The template editor: read-only for roles that cannot change templates; the server's messages at their
// fields, a taken name at the name; the subject and preheader only for e-mail; PUT sends every field.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';

import type { Template } from './templates';

const server = vi.hoisted(() => ({
  template: null as unknown as Template,
  writes: [] as Array<{ method: string; path: string; body: unknown }>,
  problem: null as null | { status: number; body: unknown },
  previews: 0,
  writable: true,
}));

vi.mock('@/auth/session', () => ({
  useSession: () => ({ can: (what: string) => what === 'read' || server.writable }),
}));

vi.mock('@/api/client', async () => {
  const { toProblem } = await import('@/api/problem');
  const ok = (data: unknown, status = 200) => ({ data, response: new Response(null, { status }) });
  const write = async (method: string, path: string, init: { body: unknown }) => {
    server.writes.push({ method, path, body: init.body });
    if (server.problem) {
      return { error: server.problem.body, response: new Response(null, { status: server.problem.status }) };
    }
    server.template = { ...server.template, ...(init.body as Partial<Template>) };
    return ok(server.template, method === 'POST' ? 201 : 200);
  };
  return {
    api: {
      GET: async (path: string) => ok(path === '/api/v1/template-variables' ? [] : server.template),
      POST: async (path: string, init: { body: { template?: string; channel?: string } }) => {
        if (path === '/api/v1/campaigns/message-preview') {
          server.previews++;
          return ok({ channel: init.body.channel, message: init.body.template, variables: [] });
        }
        return write('POST', path, init);
      },
      PUT: async (path: string, init: { body: unknown }) => write('PUT', path, init),
      DELETE: async () => ({ response: new Response(null, { status: 204 }) }),
    },
    unwrap: async <T,>(call: Promise<{ data?: T; error?: unknown; response: Response }>) => {
      const { data, error, response } = await call;
      if (!response.ok) throw toProblem(response.status, error);
      return data as T;
    },
  };
});

const { default: TemplateEditorPage } = await import('./TemplateEditorPage');

const EMAIL: Template = {
  id: 7,
  name: 'Spring sale',
  channel: 'email',
  body: '<p>Hi {{ first_name }}</p><a href="{{ unsubscribe_url }}">Unsubscribe</a>',
  subject: 'Spring at {{ brand }}',
  preheader: 'Ends Sunday',
  starter: false,
  created_at: '2025-01-01T00:00:00Z',
  updated_at: '2025-01-01T00:00:00Z',
};

function show(path: string, { writable = true } = {}) {
  server.template = structuredClone(EMAIL);
  server.writable = writable;
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={[path]}>
        <Routes>
          <Route path="/templates/new" element={<TemplateEditorPage />} />
          <Route path="/templates/:templateId" element={<TemplateEditorPage />} />
          <Route path="/templates" element={<p>the list</p>} />
        </Routes>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

const field = (label: string) => screen.getByLabelText<HTMLInputElement>(label, { exact: true });
/** The message the field is described by (its error). */
const errorAt = (label: string) => {
  const ids = field(label).getAttribute('aria-describedby') ?? '';
  const id = ids.split(' ').find((i) => i.endsWith('-error'));
  return id ? document.getElementById(id)?.textContent : undefined;
};

afterEach(() => {
  cleanup();
  server.writes.length = 0;
  server.problem = null;
  server.previews = 0;
});

describe('the template editor', () => {
  it('shows a template read-only to a role that cannot change it', async () => {
    show('/templates/7', { writable: false });
    await screen.findByDisplayValue('Spring sale');
    expect(screen.getByText('Your role can read templates but not change them.')).toBeTruthy();
    for (const label of ['Name', 'Channel', 'Subject', 'Preheader', 'Body']) {
      expect((field(label).closest('fieldset') as HTMLFieldSetElement).disabled).toBe(true);
    }
    expect(screen.queryByRole('button', { name: /Save/ })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Delete template' })).toBeNull();
    // The preview needs the campaigns permission: a reader is not sent there.
    expect(server.previews).toBe(0);
  });

  it('shows the subject and preheader for e-mail only, and does not send them for another channel', async () => {
    show('/templates/new?channel=email');
    await screen.findByText('New template', { selector: 'h1' });
    expect(field('Channel').value).toBe('email');
    fireEvent.change(field('Name'), { target: { value: 'Flash sale' } });
    fireEvent.change(field('Subject'), { target: { value: 'Today only' } });
    fireEvent.change(field('Channel'), { target: { value: 'sms' } });
    expect(screen.queryByLabelText('Subject', { exact: true })).toBeNull();
    expect(screen.queryByLabelText('Preheader', { exact: true })).toBeNull();
    fireEvent.change(field('Body'), { target: { value: 'Flash sale at {{ brand }}' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save template' }));
    await waitFor(() => expect(server.writes).toHaveLength(1));
    expect(server.writes[0]).toEqual({
      method: 'POST',
      path: '/api/v1/templates',
      body: { name: 'Flash sale', channel: 'sms', body: 'Flash sale at {{ brand }}', subject: null, preheader: null },
    });
  });

  it('puts the server’s messages at their fields, and a taken name at the name', async () => {
    show('/templates/7');
    await screen.findByDisplayValue('Spring sale');
    fireEvent.change(field('Body'), { target: { value: '<p>Hi {{ frist_name }}</p>{{ unsubscribe_url }}' } });
    server.problem = {
      status: 422,
      body: {
        title: 'Invalid',
        errors: [{ field: 'body', message: 'line 1, column 10: unknown variable `frist_name`' }],
      },
    };
    fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(errorAt('Body')).toContain('frist_name'));
    expect(errorAt('Name')).toBeUndefined();
    expect(screen.getByText('Not saved: see the marked fields.')).toBeTruthy();
    // Once the body changes, the message about what it held goes.
    fireEvent.change(field('Body'), { target: { value: '<p>Hi {{ first_name }}</p>{{ unsubscribe_url }}' } });
    await waitFor(() => expect(errorAt('Body')).toBeUndefined());
    expect(screen.queryByText('Not saved: see the marked fields.')).toBeNull();

    server.problem = { status: 409, body: { title: 'Conflict', detail: 'a template with this name already exists' } };
    fireEvent.change(field('Name'), { target: { value: 'Welcome (e-mail)' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(errorAt('Name')).toBe('A template with this name exists; choose another name.'));
  });

  it('saves every field with PUT and says so', async () => {
    show('/templates/7');
    await screen.findByDisplayValue('Spring sale');
    const save = screen.getByRole<HTMLButtonElement>('button', { name: 'Save changes' });
    expect(save.disabled).toBe(true);
    fireEvent.change(field('Preheader'), { target: { value: 'Ends Monday' } });
    fireEvent.click(save);
    await screen.findByText('Saved “Spring sale”.');
    expect(server.writes).toEqual([
      {
        method: 'PUT',
        path: '/api/v1/templates/{id}',
        body: {
          name: 'Spring sale',
          channel: 'email',
          body: EMAIL.body,
          subject: 'Spring at {{ brand }}',
          preheader: 'Ends Monday',
        },
      },
    ]);
  });
});

// @vitest-environment jsdom
// The Brand section: read-only for members without admin rights; a save sends only the changed keys and
// shows the server's messages at their fields.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';

import type { WorkspaceProfile } from './brand';

const server = vi.hoisted(() => ({
  profile: null as unknown as WorkspaceProfile,
  patches: [] as unknown[],
  problem: null as null | { status: number; body: unknown },
}));

vi.mock('@/api/client', async () => {
  const { toProblem } = await import('@/api/problem');
  const ok = (data: unknown) => ({ data, response: new Response(null, { status: 200 }) });
  return {
    api: {
      GET: async () => ok(server.profile),
      PATCH: async (_path: string, init: { body: Record<string, unknown> }) => {
        server.patches.push(init.body);
        if (server.problem) {
          return { error: server.problem.body, response: new Response(null, { status: server.problem.status }) };
        }
        server.profile = { ...server.profile, ...init.body } as WorkspaceProfile;
        return ok(server.profile);
      },
    },
    unwrap: async <T,>(call: Promise<{ data?: T; error?: unknown; response: Response }>) => {
      const { data, error, response } = await call;
      if (!response.ok) throw toProblem(response.status, error);
      return data as T;
    },
  };
});

const { Brand } = await import('./Brand');

const base: WorkspaceProfile = {
  id: 1,
  slug: 'tanvi-foods',
  name: 'Tanvi Foods',
  brand_name: null,
  postal_address: '1 MG Road',
  default_country: 'IN',
  timezone: 'Asia/Kolkata',
  logo_url: null,
  currency: 'INR',
  email_sender: null,
  sms_sender: { sender_id: 'TANVIF', dlt_entity_id: null, dlt_template_id: null },
};

function show(manage: boolean) {
  server.profile = structuredClone(base);
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <MemoryRouter>
        <Brand manage={manage} />
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

const input = (label: string) => screen.getByLabelText(label, { exact: true }) as HTMLInputElement;

afterEach(() => {
  cleanup();
  server.patches.length = 0;
  server.problem = null;
});

describe('the Brand section', () => {
  it('shows the profile read-only to members without admin rights', async () => {
    show(false);
    await screen.findByDisplayValue('Tanvi Foods');
    expect(screen.getByText('Only owners and admins change the brand settings.')).toBeTruthy();
    // Disabled by the form's fieldset.
    expect(input('Brand name').matches(':disabled')).toBe(true);
    expect(input('Sender ID').matches(':disabled')).toBe(true);
    expect(input('Sender ID').value).toBe('TANVIF');
    expect((screen.getByLabelText('Default country') as HTMLSelectElement).value).toBe('IN');
    expect(screen.queryByRole('button', { name: 'Save brand settings' })).toBeNull();
  });

  it('saves only what changed and confirms', async () => {
    show(true);
    await screen.findByDisplayValue('Tanvi Foods');
    const save = screen.getByRole('button', { name: 'Save brand settings' }) as HTMLButtonElement;
    expect(save.disabled).toBe(true);
    fireEvent.change(input('Brand name'), { target: { value: 'Tanvi' } });
    fireEvent.change(input('DLT entity ID (India only)'), { target: { value: '1201159100000000001' } });
    expect(save.disabled).toBe(false);
    await act(async () => fireEvent.click(save));
    await screen.findByText('Saved.');
    expect(server.patches).toEqual([
      {
        brand_name: 'Tanvi',
        sms_sender: { sender_id: 'TANVIF', dlt_entity_id: '1201159100000000001', dlt_template_id: null },
      },
    ]);
    expect(input('Brand name').value).toBe('Tanvi');
    expect(save.disabled).toBe(true);
  });

  it("shows the server's message next to its field and keeps what was typed", async () => {
    show(true);
    await screen.findByDisplayValue('Tanvi Foods');
    server.problem = {
      status: 422,
      body: {
        title: 'Invalid',
        errors: [
          { field: 'sms_sender.sender_id', message: 'must be 3 to 11 letters or digits' },
          { field: 'something_else', message: 'is odd' },
        ],
      },
    };
    fireEvent.change(input('Sender ID'), { target: { value: 'NO!' } });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Save brand settings' })));
    await screen.findByText('Not saved: see the marked fields.');
    const field = input('Sender ID');
    await waitFor(() => expect(field.getAttribute('aria-invalid')).toBe('true'));
    const errorId = field
      .getAttribute('aria-describedby')!
      .split(' ')
      .find((id) => id.endsWith('-error'))!;
    expect(document.getElementById(errorId)?.textContent).toBe('must be 3 to 11 letters or digits');
    expect(screen.getByText('something_else: is odd')).toBeTruthy();
    expect(field.value).toBe('NO!');
    expect(server.profile.sms_sender?.sender_id).toBe('TANVIF');
  });
});

// @vitest-environment jsdom
// The test send dialog: addresses as typed, the server's refusals at their own line, each result at its
// address.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';

const server = vi.hoisted(() => ({
  bodies: [] as unknown[],
  answer: { status: 200, body: {} as unknown },
}));

vi.mock('@/api/client', async () => {
  const { toProblem } = await import('@/api/problem');
  return {
    api: {
      POST: async (_path: string, init: { body: unknown }) => {
        server.bodies.push(init.body);
        const response = new Response(null, { status: server.answer.status });
        return response.ok ? { data: server.answer.body, response } : { error: server.answer.body, response };
      },
    },
    unwrap: async <T,>(call: Promise<{ data?: T; error?: unknown; response: Response }>) => {
      const { data, error, response } = await call;
      if (!response.ok) throw toProblem(response.status, error);
      return data as T;
    },
  };
});

const { TestSendDialog } = await import('./TestSendDialog');

function show() {
  const client = new QueryClient({ defaultOptions: { mutations: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <TestSendDialog campaignId={7} channel="sms" open onOpenChange={() => {}} />
    </QueryClientProvider>,
  );
}

const line = (address: string) => document.querySelector<HTMLElement>(`li[data-address="${address}"]`)!;

afterEach(() => {
  cleanup();
  server.bodies.length = 0;
});

describe('the test send dialog', () => {
  it('sends the typed addresses and shows each result at its address', async () => {
    server.answer = {
      status: 200,
      body: {
        results: [
          { to: '+919812345611', channel: 'sms', status: 'sent', error: null },
          { to: '+919812345612', channel: 'sms', status: 'failed', error: 'handset unreachable' },
        ],
      },
    };
    show();
    expect(screen.getByText('A test is not part of the campaign: it is not counted and not logged.')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Send to'), { target: { value: '+919812345611,\n+919812345612' } });
    fireEvent.change(screen.getByLabelText('Render for customer (optional)'), { target: { value: ' C1 ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send test' }));
    await waitFor(() => expect(line('+919812345611').dataset.state).toBe('sent'));
    expect(server.bodies).toEqual([{ to: ['+919812345611', '+919812345612'], customer_external_id: 'C1' }]);
    expect(line('+919812345612').dataset.state).toBe('failed');
    expect(within(line('+919812345612')).getByText('handset unreachable')).toBeTruthy();
    expect(screen.getByText('1 sent, 1 failed: see each address.')).toBeTruthy();
  });

  it("puts the server's message at the address it names, and refuses eleven before asking", async () => {
    server.answer = {
      status: 422,
      body: {
        title: 'Invalid',
        errors: [{ field: 'to[1]', message: 'this campaign sends sms: give a phone number' }],
      },
    };
    show();
    const to = screen.getByLabelText('Send to');
    fireEvent.change(to, { target: { value: '+919812345611\nasha@example.in' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send test' }));
    await waitFor(() => expect(line('asha@example.in').dataset.state).toBe('invalid'));
    expect(within(line('asha@example.in')).getByText('this campaign sends sms: give a phone number')).toBeTruthy();
    expect(line('+919812345611').dataset.state).toBe('ready');
    expect(to.getAttribute('aria-invalid')).toBe('true');
    expect(server.bodies).toEqual([{ to: ['+919812345611', 'asha@example.in'] }]);

    fireEvent.change(to, { target: { value: Array.from({ length: 11 }, (_, i) => `+9198123456${10 + i}`).join(',') } });
    expect(screen.getByText(/At most 10 addresses per test: remove 1\./)).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Send test' }) as HTMLButtonElement).disabled).toBe(true);
  });
});

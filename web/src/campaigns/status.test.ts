import { describe, expect, it } from 'vitest';

import { formatDateTime } from '@/lib/format';

import { statusWording } from './status';

const stats = { audience: 100, pending: 40, sent: 50, failed: 5, skipped: 5 };
const send_at = '2030-01-02T03:04:05Z';

describe('status wording', () => {
  it('says what each status means, with a percentage only where it means something', () => {
    expect(statusWording({ status: 'draft', stats: { ...stats, audience: 0 }, send_at })).toEqual({
      headline: 'Draft — nothing sent yet',
      percent: null,
    });
    expect(statusWording({ status: 'scheduled', stats, send_at })).toEqual({
      headline: `Scheduled for ${formatDateTime(send_at)}`,
      percent: null,
    });
    expect(statusWording({ status: 'running', stats, send_at })).toEqual({ headline: 'Delivering… 60%', percent: 60 });
    expect(statusWording({ status: 'paused', stats, send_at }).headline).toBe('Paused — 50 of 100 sent; 40 waiting');
    expect(statusWording({ status: 'cancelled', stats: { ...stats, pending: 0, skipped: 45 }, send_at })).toEqual({
      headline: 'Cancelled — 50 were sent before it was stopped; 45 skipped',
      percent: null,
    });
    expect(
      statusWording({ status: 'cancelled', stats: { ...stats, sent: 1, pending: 0, skipped: 94 }, send_at }).headline,
    ).toBe('Cancelled — 1 was sent before it was stopped; 94 skipped');
    expect(statusWording({ status: 'completed', stats: { ...stats, pending: 0, skipped: 45 }, send_at })).toEqual({
      headline: 'Completed',
      percent: 100,
    });
  });
});

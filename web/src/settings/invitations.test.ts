import { describe, expect, it } from 'vitest';

import { emailOutcome, expiryWording } from './invitations';

const now = new Date('2026-05-01T12:00:00Z');
const pending = (expires_at: string) => ({ status: 'pending', expires_at, accepted_at: null });

describe('invitation wording', () => {
  it('says how long a pending invitation stays open', () => {
    expect(expiryWording(pending('2026-05-07T23:00:00Z'), now)).toBe('expires in 6 days');
    expect(expiryWording(pending('2026-05-08T12:00:00Z'), now)).toBe('expires in 7 days');
    expect(expiryWording(pending('2026-05-02T13:00:00Z'), now)).toBe('expires in 1 day');
    // Just made: seven days less a moment.
    expect(expiryWording(pending('2026-05-08T11:59:00Z'), now)).toBe('expires in 7 days');
    expect(expiryWording(pending('2026-05-01T15:30:00Z'), now)).toBe('expires in 3 hours');
    expect(expiryWording(pending('2026-05-01T13:00:00Z'), now)).toBe('expires in 1 hour');
    expect(expiryWording(pending('2026-05-01T12:20:00Z'), now)).toBe('expires in 20 minutes');
    expect(expiryWording(pending('2026-05-01T12:00:20Z'), now)).toBe('expires in 1 minute');
  });

  it('says expired once the time is past, whatever the status says', () => {
    expect(expiryWording(pending('2026-05-01T11:59:00Z'), now)).toBe('expired');
    expect(expiryWording({ status: 'expired', expires_at: '2026-04-30T12:00:00Z' }, now)).toBe('expired');
    expect(expiryWording({ status: 'accepted', expires_at: '2026-04-30T12:00:00Z' }, now)).toBe('accepted');
  });

  it('says plainly whether the link was e-mailed', () => {
    expect(emailOutcome('sent', 'asha@example.in').message).toBe(
      'E-mailed to asha@example.in. You can also copy the link and send it yourself.',
    );
    expect(emailOutcome('not_configured', 'asha@example.in')).toEqual({
      tone: 'warning',
      message:
        'This workspace sends e-mail through a vendor, so nothing was e-mailed: copy the link and send it yourself.',
    });
    expect(emailOutcome('failed', 'asha@example.in', 'connection refused').message).toBe(
      'The e-mail failed: connection refused; copy the link and send it yourself.',
    );
  });
});

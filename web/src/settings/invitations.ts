// Invitations in words: how long one stays open, and whether its link was e-mailed. Kept apart from the
// card so the wording is unit-tested.
import type { Schemas } from '@/api/client';

type Invitation = Pick<Schemas['InvitationView'], 'status' | 'expires_at' | 'accepted_at'>;

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/** "expires in 6 days", "expires in 3 hours", "expired", "accepted". */
export function expiryWording(invitation: Invitation, now: Date = new Date()): string {
  if (invitation.status === 'accepted') return 'accepted';
  const left = new Date(invitation.expires_at).getTime() - now.getTime();
  if (invitation.status === 'expired' || !(left > 0)) return 'expired';
  const minutes = Math.floor(left / 60_000);
  if (minutes < 60) return `expires in ${plural(Math.max(1, minutes), 'minute')}`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `expires in ${plural(hours, 'hour')}`;
  return `expires in ${plural(Math.max(1, Math.round(minutes / 1440)), 'day')}`;
}

export type EmailOutcome = { tone: 'success' | 'warning' | 'danger'; message: string };

/** What became of the e-mail of a new link (`email_delivery`: `sent`, `not_configured`, `failed`). */
export function emailOutcome(outcome: string, address: string, reason?: string | null): EmailOutcome {
  switch (outcome) {
    case 'sent':
      return { tone: 'success', message: `E-mailed to ${address}. You can also copy the link and send it yourself.` };
    case 'not_configured':
      return {
        tone: 'warning',
        message:
          'This workspace sends e-mail through a vendor, so nothing was e-mailed: copy the link and send it yourself.',
      };
    case 'failed':
      return {
        tone: 'danger',
        message: `The e-mail failed: ${reason || 'no reason given'}; copy the link and send it yourself.`,
      };
    default:
      return { tone: 'warning', message: 'Nothing was e-mailed: copy the link and send it yourself.' };
  }
}

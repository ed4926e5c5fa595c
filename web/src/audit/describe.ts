// The audit log in words: who did it, what they did and to what, from an entry's dotted action, its target
// (`user:12`, `campaign:5`) and its details. The server records facts; this only phrases them. An action
// this file does not know yet is shown as the server names it.
import type { Schemas } from '@/api/client';

export type AuditEntry = Schemas['AuditEntryView'];

/** What the page knows to put names on ids: the workspace's members and API keys. */
export interface Directory {
  users: ReadonlyMap<number, { email: string; name?: string | null }>;
  keys: ReadonlyMap<number, { label: string; prefix: string }>;
}

export const EMPTY_DIRECTORY: Directory = { users: new Map(), keys: new Map() };

function text(details: Record<string, unknown>, key: string): string | undefined {
  const value = details[key];
  return typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;
}

function quoted(value: string | undefined): string {
  return value ? ` “${value}”` : '';
}

/** A person by id: their name, else their e-mail, else "user #12". */
export function personName(id: number, directory: Directory): string {
  const user = directory.users.get(id);
  return user ? user.name || user.email : `user #${id}`;
}

/** Who did it: a person, an API key, or Converge itself. */
export function describeActor(actor: AuditEntry['actor'], directory: Directory): string {
  if (actor.user_id != null) return personName(actor.user_id, directory);
  if (actor.key_id != null) {
    const key = directory.keys.get(actor.key_id);
    return key ? `API key “${key.label || `${key.prefix}…`}”` : `API key #${actor.key_id}`;
  }
  return 'Converge';
}

/** The `kind:id` of a target, split; `email:a@b.c` keeps the whole address. */
export function parseTarget(target: string): { kind: string; id: string } {
  const at = target.indexOf(':');
  return at < 0 ? { kind: '', id: target } : { kind: target.slice(0, at), id: target.slice(at + 1) };
}

/** What it was done to, in words, and where to look at it when the UI has a page for it. */
export function describeTarget(target: string, directory: Directory): { label: string; href?: string } {
  const { kind, id } = parseTarget(target);
  const n = Number(id);
  switch (kind) {
    case 'user':
      return { label: Number.isInteger(n) ? personName(n, directory) : target };
    case 'api_key': {
      const key = Number.isInteger(n) ? directory.keys.get(n) : undefined;
      return { label: key ? `API key “${key.label || `${key.prefix}…`}”` : `API key #${id}` };
    }
    case 'campaign':
      return { label: `campaign #${id}`, href: `/campaigns/${id}` };
    case 'invitation':
      return { label: `invitation #${id}` };
    case 'customer':
      return { label: `customer #${id}` };
    case 'suppression':
      return { label: `suppression #${id}` };
    case 'channel':
      return { label: `${id} channel` };
    case 'workspace':
      return { label: 'this workspace' };
    case 'email':
      return { label: id };
    case 'provider':
      return { label: `sign-in provider ${id}` };
    default:
      return { label: target };
  }
}

/** "launched campaign “Spring sale”", "invited asha@example.com as member", … ; unknown actions raw. */
export function describeAction(entry: Pick<AuditEntry, 'action' | 'target' | 'details'>, directory: Directory) {
  const details = (entry.details ?? {}) as Record<string, unknown>;
  const d = (key: string) => text(details, key);
  const role = d('role');
  const asRole = role ? ` as ${role}` : '';
  const subject = () => describeTarget(entry.target, directory).label;
  switch (entry.action) {
    case 'auth.setup':
      return 'set up Converge';
    case 'auth.login':
      return d('method') === 'oidc' && d('provider') ? `signed in with ${d('provider')}` : 'signed in';
    case 'auth.login_failed':
      return d('reason') ? `failed sign-in (${d('reason')})` : 'failed sign-in';
    case 'auth.logout':
      return 'signed out';
    case 'auth.identity_link':
      return d('provider') ? `linked a ${d('provider')} sign-in` : 'linked a sign-in provider';
    case 'member.invite':
      return `invited ${d('email') ?? 'someone'}${asRole}`;
    case 'member.invite_accept':
      return `joined via invitation${asRole}`;
    case 'member.invite_decline':
      return 'declined an invitation';
    case 'member.invite_revoke':
      return `revoked the invitation of ${d('email') ?? 'someone'}`;
    case 'member.join_by_domain':
      return `joined through the domain${d('domain') ? ` ${d('domain')}` : ''}${asRole}`;
    case 'member.role_change':
      return `changed the role of ${subject()}${d('from') ? ` from ${d('from')}` : ''}${d('to') ? ` to ${d('to')}` : ''}`;
    case 'member.remove':
      return `removed ${subject()} from the workspace`;
    case 'api_key.create':
      return `created the API key${quoted(d('label'))}`;
    case 'api_key.revoke':
      return `revoked the API key${d('prefix') ? ` ${d('prefix')}…` : ''}`;
    case 'campaign.launch':
      return `launched campaign${quoted(d('name'))}`;
    case 'campaign.test':
      return 'sent a test of a campaign';
    case 'settings.channel_test':
      return 'sent a channel test';
    case 'settings.compliance':
      return 'changed the compliance settings';
    case 'workspace.profile':
      return 'changed the brand settings';
    case 'workspace.domains_change':
      return 'changed the sign-in domains';
    case 'workspace.domain_verify':
      return `verified the domain${d('domain') ? ` ${d('domain')}` : ''}`;
    case 'suppression.add':
      return 'added an address to the suppression list';
    case 'suppression.remove':
      return 'removed an address from the suppression list';
    case 'customer.erase':
      return 'erased a customer';
    case 'customer.subscriptions':
      return "changed a customer's subscriptions";
    default:
      return entry.action;
  }
}

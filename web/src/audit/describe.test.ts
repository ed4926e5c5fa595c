import { describe, expect, it } from 'vitest';

import { describeAction, describeActor, describeTarget, EMPTY_DIRECTORY, type Directory } from './describe';

const directory: Directory = {
  users: new Map([
    [1, { email: 'owner@example.com', name: 'Olivia Owner' }],
    [2, { email: 'bea@example.com', name: null }],
  ]),
  keys: new Map([[7, { label: 'Shopify sync', prefix: 'cvg_ab12' }]]),
};

const say = (action: string, details: Record<string, unknown> = {}, target = 'workspace:1') =>
  describeAction({ action, target, details }, directory);

describe('audit wording', () => {
  it('phrases each action the server records', () => {
    expect(say('campaign.launch', { name: 'Spring sale', audience: 120 }, 'campaign:4')).toBe(
      'launched campaign “Spring sale”',
    );
    expect(say('member.invite', { email: 'asha@example.in', role: 'member' }, 'invitation:3')).toBe(
      'invited asha@example.in as member',
    );
    expect(say('member.invite_accept', { role: 'viewer', via: 'link' }, 'invitation:3')).toBe(
      'joined via invitation as viewer',
    );
    expect(say('auth.login', { method: 'password', address: '127.0.0.1' }, 'user:1')).toBe('signed in');
    expect(say('auth.login', { method: 'oidc', provider: 'google' }, 'user:1')).toBe('signed in with google');
    expect(say('auth.login_failed', { method: 'password' }, 'email:x@example.com')).toBe('failed sign-in');
    expect(say('auth.login_failed', { method: 'oidc', reason: 'state mismatch' })).toBe(
      'failed sign-in (state mismatch)',
    );
    expect(say('settings.channel_test', { status: 'sent' }, 'channel:sms')).toBe('sent a channel test');
    expect(say('campaign.test', { recipients: 2 }, 'campaign:4')).toBe('sent a test of a campaign');
    expect(say('member.role_change', { from: 'member', to: 'admin' }, 'user:2')).toBe(
      'changed the role of bea@example.com from member to admin',
    );
    expect(say('member.remove', { role: 'member' }, 'user:1')).toBe('removed Olivia Owner from the workspace');
    expect(say('member.invite_revoke', { email: 'asha@example.in', role: 'member' })).toBe(
      'revoked the invitation of asha@example.in',
    );
    expect(say('member.join_by_domain', { domain: 'example.com', role: 'member' })).toBe(
      'joined through the domain example.com as member',
    );
    expect(say('api_key.create', { label: 'Shopify sync', prefix: 'cvg_ab12' })).toBe(
      'created the API key “Shopify sync”',
    );
    expect(say('api_key.revoke', { prefix: 'cvg_ab12' })).toBe('revoked the API key cvg_ab12…');
  });

  it('shows an action it does not know as the server names it', () => {
    expect(say('billing.plan_change', { plan: 'pro' })).toBe('billing.plan_change');
  });

  it('names who did it, falling back to ids', () => {
    expect(describeActor({ user_id: 1, key_id: null }, directory)).toBe('Olivia Owner');
    expect(describeActor({ user_id: 2, key_id: null }, directory)).toBe('bea@example.com');
    expect(describeActor({ user_id: 9, key_id: null }, directory)).toBe('user #9');
    expect(describeActor({ user_id: null, key_id: 7 }, directory)).toBe('API key “Shopify sync”');
    expect(describeActor({ user_id: null, key_id: 8 }, EMPTY_DIRECTORY)).toBe('API key #8');
    expect(describeActor({}, directory)).toBe('Converge');
  });

  it('names the target, with a link where the UI has a page', () => {
    expect(describeTarget('campaign:4', directory)).toEqual({ label: 'campaign #4', href: '/campaigns/4' });
    expect(describeTarget('user:1', directory)).toEqual({ label: 'Olivia Owner' });
    expect(describeTarget('email:x@example.com', directory)).toEqual({ label: 'x@example.com' });
    expect(describeTarget('api_key:7', directory)).toEqual({ label: 'API key “Shopify sync”' });
    expect(describeTarget('something', directory)).toEqual({ label: 'something' });
  });
});

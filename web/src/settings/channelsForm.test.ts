import { describe, expect, it } from 'vitest';

import type { Schemas } from '@/api/client';

import { formFromView, hasServerDefault, REDACTED, settingsDocument } from './channelsForm';

type View = Schemas['ChannelSettingsView'];

const SIM = { kind: 'vendor', base_url: 'http://127.0.0.1:9090', api_key: REDACTED, route: 'default' };
const onDefault: View = {
  source: 'default',
  sources: { sms: 'default', whatsapp: 'default', email: 'default' },
  channels: { sms: SIM, whatsapp: SIM, email: SIM },
  receipt_urls: {},
};
const mixed: View = {
  source: 'workspace',
  sources: { sms: 'default', whatsapp: 'workspace', email: 'workspace' },
  channels: {
    sms: SIM,
    whatsapp: {
      kind: 'vendor',
      base_url: 'https://api.vendor.example',
      api_key: REDACTED,
      signing_secret: REDACTED,
      route: 'rt_abc',
      timeout_ms: 8000,
      connect_timeout_ms: 1500,
    },
    email: {
      kind: 'smtp',
      host: 'smtp.brand.example',
      port: 587,
      tls: 'starttls',
      username: 'mailer',
      password: REDACTED,
      from_address: 'offers@brand.example',
      from_name: null,
      helo_name: null,
      timeout_ms: 15000,
      pool_size: 4,
    },
  },
  receipt_urls: { whatsapp: 'https://crm.example/api/v1/delivery-receipts/rt_abc' },
};

describe('the channel settings document', () => {
  it('saving e-mail keeps SMS and WhatsApp on the server default', () => {
    const loaded = formFromView(onDefault);
    const email = {
      ...loaded.email,
      mode: 'smtp' as const,
      smtp: { ...loaded.email.smtp, host: 'smtp.brand.example', from_address: 'offers@brand.example' },
    };
    expect(settingsDocument(loaded, 'email', email)).toEqual({
      sms: { kind: 'default' },
      whatsapp: { kind: 'default' },
      email: {
        kind: 'smtp',
        host: 'smtp.brand.example',
        port: 587,
        tls: 'starttls',
        username: null,
        password: null,
        from_address: 'offers@brand.example',
        from_name: null,
      },
    });
  });

  it('sends the other channels as loaded: saved secrets as [redacted], unshown settings kept', () => {
    const loaded = formFromView(mixed);
    const sms = { ...loaded.sms, mode: 'default' as const };
    const doc = settingsDocument(loaded, 'sms', sms);
    expect(doc.sms).toEqual({ kind: 'default' });
    expect(doc.whatsapp).toEqual({
      kind: 'vendor',
      base_url: 'https://api.vendor.example',
      api_key: REDACTED,
      signing_secret: REDACTED,
      timeout_ms: 8000,
      connect_timeout_ms: 1500,
    });
    expect(doc.email).toEqual({
      kind: 'smtp',
      host: 'smtp.brand.example',
      port: 587,
      tls: 'starttls',
      username: 'mailer',
      password: REDACTED,
      from_address: 'offers@brand.example',
      from_name: null,
      helo_name: null,
      timeout_ms: 15000,
      pool_size: 4,
    });
  });

  it('sends a typed secret instead of the saved one, and no signing secret when there is none', () => {
    const loaded = formFromView(mixed);
    const whatsapp = { ...loaded.whatsapp, vendor: { ...loaded.whatsapp.vendor, api_key: 'new-key' } };
    expect(settingsDocument(loaded, 'whatsapp', whatsapp).whatsapp).toMatchObject({
      api_key: 'new-key',
      signing_secret: REDACTED,
    });
    const fresh = {
      ...loaded.sms,
      mode: 'vendor' as const,
      vendor: { base_url: 'https://v.example', api_key: 'k', signing_secret: '' },
    };
    expect(settingsDocument(loaded, 'sms', fresh).sms).toEqual({
      kind: 'vendor',
      base_url: 'https://v.example',
      api_key: 'k',
    });
  });

  it('sends a port that is not a number as typed, for the server to name', () => {
    const loaded = formFromView(mixed);
    const email = { ...loaded.email, smtp: { ...loaded.email.smtp, port: 'abc' } };
    expect(settingsDocument(loaded, 'email', email).email.port).toBe('abc');
  });

  it('reads which channels follow the default, and whether there is one', () => {
    const form = formFromView(mixed);
    expect([form.sms.mode, form.whatsapp.mode, form.email.mode]).toEqual(['default', 'vendor', 'smtp']);
    expect(form.email.saved.password).toBe(true);
    expect(form.email.smtp.password).toBe('');
    expect(hasServerDefault(mixed)).toBe(true);
    expect(
      hasServerDefault({ ...mixed, sources: { sms: 'workspace', whatsapp: 'workspace', email: 'workspace' } }),
    ).toBe(false);
    expect(hasServerDefault({ source: 'none', sources: {}, channels: null, receipt_urls: {} })).toBe(false);
  });
});

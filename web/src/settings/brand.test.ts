import { describe, expect, it } from 'vitest';

import { COUNTRY_CODES, countryOptions } from '@/lib/countries';

import { isDirty, isPlaced, previewableLogo, toForm, toPatch, usesBrand, type WorkspaceProfile } from './brand';

const fresh: WorkspaceProfile = {
  id: 1,
  slug: 'tanvi-foods',
  name: 'Tanvi Foods',
  brand_name: null,
  postal_address: null,
  default_country: null,
  timezone: 'Asia/Kolkata',
  logo_url: null,
  currency: 'INR',
  email_sender: null,
  sms_sender: null,
};

const filled: WorkspaceProfile = {
  ...fresh,
  brand_name: 'Tanvi',
  postal_address: '1 MG Road\nPune 411001',
  default_country: 'IN',
  logo_url: 'https://tanvi.example/logo.png',
  email_sender: { from_name: 'Tanvi', from_address: 'hello@tanvi.example', reply_to: null },
  sms_sender: { sender_id: 'TANVIF', dlt_entity_id: '1201159100000000001', dlt_template_id: null },
};

describe('the brand form', () => {
  it('shows unset values as empty fields', () => {
    const form = toForm(fresh);
    expect(form.brandName).toBe('');
    expect(form.fromAddress).toBe('');
    expect(form.senderId).toBe('');
    expect(form.timezone).toBe('Asia/Kolkata');
    expect(toForm(filled).dltEntityId).toBe('1201159100000000001');
  });

  it('sends nothing when nothing changed, whitespace aside', () => {
    const base = toForm(filled);
    expect(toPatch(base, { ...base })).toEqual({});
    expect(toPatch(base, { ...base, brandName: ' Tanvi  ', postalAddress: '1 MG Road\r\nPune 411001\n' })).toEqual({});
    expect(isDirty(base, { ...base })).toBe(false);
    expect(isDirty(base, { ...base, brandName: 'Tanvi Foods' })).toBe(true);
  });

  it('sends only the changed keys, trimmed', () => {
    const base = toForm(fresh);
    expect(toPatch(base, { ...base, brandName: '  Tanvi ' })).toEqual({ brand_name: 'Tanvi' });
    expect(toPatch(base, { ...base, postalAddress: '1 MG Road\r\nPune\n', defaultCountry: 'IN' })).toEqual({
      postal_address: '1 MG Road\nPune',
      default_country: 'IN',
    });
    expect(toPatch(base, { ...base, timezone: 'UTC', name: 'Tanvi Stores' })).toEqual({
      name: 'Tanvi Stores',
      timezone: 'UTC',
    });
  });

  it('clears an emptied field with null, but sends the display name and time zone as typed', () => {
    const base = toForm(filled);
    expect(toPatch(base, { ...base, brandName: '', logoUrl: '   ', defaultCountry: '' })).toEqual({
      brand_name: null,
      logo_url: null,
      default_country: null,
    });
    // They cannot be cleared: the server says so at the field.
    expect(toPatch(base, { ...base, name: '', timezone: '' })).toEqual({ name: '', timezone: '' });
  });

  it('sends a sender whole when any of its fields changed, and null when all are empty', () => {
    const base = toForm(filled);
    expect(toPatch(base, { ...base, replyTo: 'care@tanvi.example' })).toEqual({
      email_sender: { from_name: 'Tanvi', from_address: 'hello@tanvi.example', reply_to: 'care@tanvi.example' },
    });
    expect(toPatch(base, { ...base, dltTemplateId: '1207000000000000001' })).toEqual({
      sms_sender: { sender_id: 'TANVIF', dlt_entity_id: '1201159100000000001', dlt_template_id: '1207000000000000001' },
    });
    expect(toPatch(base, { ...base, fromName: '', fromAddress: '' })).toEqual({ email_sender: null });
    expect(toPatch(base, { ...base, senderId: ' ', dltEntityId: '' })).toEqual({ sms_sender: null });
    const none = toForm(fresh);
    expect(toPatch(none, { ...none, senderId: 'TANVIF' })).toEqual({
      sms_sender: { sender_id: 'TANVIF', dlt_entity_id: null, dlt_template_id: null },
    });
  });

  it('places the server messages it has a field for', () => {
    expect(isPlaced('brand_name')).toBe(true);
    expect(isPlaced('email_sender.from_address')).toBe(true);
    expect(isPlaced('sms_sender.sender_id')).toBe(true);
    expect(isPlaced('sms_sender')).toBe(true);
    expect(isPlaced('currency')).toBe(false);
    expect(isPlaced('sms_sender.vendor')).toBe(false);
  });

  it('previews only absolute http(s) logo addresses', () => {
    expect(previewableLogo(' https://tanvi.example/logo.png ')).toBe('https://tanvi.example/logo.png');
    expect(previewableLogo('http://127.0.0.1:8080/favicon.svg')).toBe('http://127.0.0.1:8080/favicon.svg');
    expect(previewableLogo('tanvi.example/logo.png')).toBeNull();
    expect(previewableLogo('javascript:alert(1)')).toBeNull();
    expect(previewableLogo('https:///logo.png')).toBeNull();
    expect(previewableLogo('')).toBeNull();
  });
});

describe('whether a template uses the brand', () => {
  it('finds the brand variable in output and logic tags', () => {
    expect(usesBrand('Hi from {{ brand }}!')).toBe(true);
    expect(usesBrand('{{brand|upper}}')).toBe(true);
    expect(usesBrand('{{- brand -}}')).toBe(true);
    expect(usesBrand('{% if brand %}x{% endif %}')).toBe(true);
    expect(usesBrand('{{ first_name | default(brand) }}')).toBe(true);
  });

  it('ignores the word elsewhere', () => {
    expect(usesBrand('Our brand new range')).toBe(false);
    expect(usesBrand('{{ attributes.brand }}')).toBe(false);
    expect(usesBrand('{{ brands }} {{ my_brand }}')).toBe(false);
    expect(usesBrand('{{ first_name | default("brand") }}')).toBe(false);
    expect(usesBrand('')).toBe(false);
  });
});

describe('countries', () => {
  it('lists each code once, by name, and keeps an unknown current value', () => {
    expect(new Set(COUNTRY_CODES).size).toBe(COUNTRY_CODES.length);
    expect(COUNTRY_CODES.every((c) => /^[A-Z]{2}$/.test(c))).toBe(true);
    const list = countryOptions(null, 'en');
    expect(list).toHaveLength(COUNTRY_CODES.length);
    expect(list.find((c) => c.code === 'IN')?.name).toBe('India');
    const names = list.map((c) => c.name);
    expect(names).toEqual([...names].sort((a, b) => new Intl.Collator('en').compare(a, b)));
    expect(countryOptions('IN', 'en')).toHaveLength(COUNTRY_CODES.length);
    expect(countryOptions('QZ', 'en').some((c) => c.code === 'QZ')).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';

import { countDataRows, headerRow, parseCsv } from './csv';
import { attributeKey, autoMap, DATE_FORMATS, missingRequired, normalise } from './mapping';

describe('CSV', () => {
  it('reads quoted fields, doubled quotes, CRLF and a BOM', () => {
    const text = '\ufeffexternal_id,name,note\r\nC1,"Verma, Asha","said ""hi"""\r\nC2,Ravi,"two\nlines"\r\n';
    expect(parseCsv(text)).toEqual([
      ['external_id', 'name', 'note'],
      ['C1', 'Verma, Asha', 'said "hi"'],
      ['C2', 'Ravi', 'two\nlines'],
    ]);
    expect(headerRow(text)).toEqual(['external_id', 'name', 'note']);
    expect(countDataRows(text)).toBe(2);
  });

  it('skips blank lines, keeps empty cells, reads a last line without newline', () => {
    expect(parseCsv('a,b\n\n1,\n,2')).toEqual([
      ['a', 'b'],
      ['1', ''],
      ['', '2'],
    ]);
    expect(parseCsv('a,b\n1,2\n3,4', 2)).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    expect(headerRow('')).toEqual([]);
  });
});

describe('column mapping', () => {
  const fields = [
    { name: 'external_id', label: 'External ID', required: true },
    { name: 'email', label: 'E-mail', required: false },
    { name: 'preferred_channel', label: 'Preferred channel', required: false },
    { name: 'customer_external_id', label: 'Customer', required: true },
  ];

  it('matches names and labels ignoring case and punctuation, each column once', () => {
    expect(normalise('E-Mail ')).toBe('email');
    expect(autoMap(fields, ['Email', 'External ID', 'Preferred Channel', 'email'])).toEqual({
      external_id: 'External ID',
      email: 'Email',
      preferred_channel: 'Preferred Channel',
    });
    expect(autoMap(fields, ['customer_external_id'])).toEqual({ customer_external_id: 'customer_external_id' });
  });

  it('names the required fields left unmapped', () => {
    expect(missingRequired(fields, { external_id: 'id' }).map((f) => f.name)).toEqual(['customer_external_id']);
  });

  it('turns headers into attribute keys', () => {
    expect(attributeKey(' Loyalty Tier ')).toBe('loyalty_tier');
    expect(attributeKey('VIP-since (date)')).toBe('vip_since_date');
  });

  // The server's customer fields (GET /api/v1/import-fields), their synonyms abridged.
  const customerFields = [
    { name: 'external_id', label: 'Customer ID', required: true, synonyms: ['id', 'customer', 'customer number'] },
    { name: 'name', label: 'Name', required: false, synonyms: ['full name', 'customer name'] },
    { name: 'email', label: 'E-mail', required: false, synonyms: ['email address', 'mail'] },
    { name: 'phone', label: 'Phone', required: false, synonyms: ['mobile', 'mobile number', 'phone number'] },
    { name: 'city', label: 'City', required: false, synonyms: ['town', 'location'] },
    { name: 'created_at', label: 'Customer since', required: false, synonyms: ['signup date', 'joined'] },
  ];

  it('pre-fills from the synonyms, compared as lower-case letters and digits', () => {
    expect(
      autoMap(customerFields, ['Customer Number', 'Full Name', 'Email Address', 'Mobile', 'Signup Date', 'Notes']),
    ).toEqual({
      external_id: 'Customer Number',
      name: 'Full Name',
      email: 'Email Address',
      phone: 'Mobile',
      created_at: 'Signup Date',
    });
    expect(autoMap(customerFields, ['E-MAIL_ADDRESS', 'mobile-number', 'SIGN UP DATE?', 'Sign-up'])).toEqual({
      email: 'E-MAIL_ADDRESS',
      phone: 'mobile-number',
      created_at: 'SIGN UP DATE?',
    });
  });

  it("a field's own name or label wins over another field's synonym; each column is used once", () => {
    // "Customer" is external_id's synonym, but "Customer ID" is its label: the label's column is taken.
    expect(autoMap(customerFields, ['Customer', 'Customer ID'])).toEqual({ external_id: 'Customer ID' });
    // Two columns meaning the phone: the first is mapped, the second is left for the marketer.
    expect(autoMap(customerFields, ['Mobile', 'Phone Number'])).toEqual({ phone: 'Mobile' });
    // A name found after a synonym column still goes to its own field.
    expect(autoMap(customerFields, ['Town', 'City'])).toEqual({ city: 'City' });
    // Fields without synonyms (as before) still map by name and label.
    expect(autoMap(fields, ['mail'])).toEqual({});
  });

  it('offers the three date formats the server reads', () => {
    expect(DATE_FORMATS.map((d) => d.value)).toEqual(['iso', 'dd/mm/yyyy', 'mm/dd/yyyy']);
  });
});

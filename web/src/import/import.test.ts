import { describe, expect, it } from 'vitest';

import { countDataRows, headerRow, parseCsv } from './csv';
import { attributeKey, autoMap, missingRequired, normalise } from './mapping';

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
});

import { describe, expect, it } from 'vitest';

import { ApiProblem } from '@/api/problem';

import { addressHint, listProblem, MAX_TEST_RECIPIENTS, parseAddresses, placeErrors } from './testSend';

describe('test send addresses', () => {
  it('reads one per line or comma-separated, trimmed, without blanks or repeats', () => {
    expect(parseAddresses(' +919812345601\n\n+919812345602 , asha@example.in;\r\n+919812345601,,')).toEqual([
      '+919812345601',
      '+919812345602',
      'asha@example.in',
    ]);
    expect(parseAddresses('  \n , ')).toEqual([]);
  });

  it('refuses more than ten before asking', () => {
    const ten = Array.from({ length: MAX_TEST_RECIPIENTS }, (_, i) => `+9198123456${String(i).padStart(2, '0')}`);
    expect(listProblem(ten)).toBeNull();
    expect(listProblem([...ten, 'one@more.in', 'two@more.in'])).toBe('At most 10 addresses per test: remove 2.');
  });

  it("places the server's messages at their address, the list or the customer", () => {
    const problem = new ApiProblem(422, 'Invalid', 'invalid', [
      { field: 'to[1]', message: 'this campaign sends sms: give a phone number' },
      { field: 'to[1]', message: 'twice' },
      { field: 'to[3]', message: 'must be in E.164 form' },
      { field: 'to', message: 'at most 10 addresses per test' },
      { field: 'customer_external_id', message: 'no such customer' },
      { field: 'other', message: 'odd' },
    ]);
    const placed = placeErrors(problem);
    expect(Object.fromEntries(placed.byIndex)).toEqual({
      1: ['this campaign sends sms: give a phone number', 'twice'],
      3: ['must be in E.164 form'],
    });
    expect(placed.list).toEqual(['at most 10 addresses per test']);
    expect(placed.customer).toEqual(['no such customer']);
    expect(placed.other).toEqual(['other: odd']);
    expect(placeErrors(null).byIndex.size).toBe(0);
  });

  it("asks for the campaign channel's kind of address", () => {
    expect(addressHint('sms')).toMatch(/^Phone numbers with \+/);
    expect(addressHint('email')).toMatch(/^E-mail addresses,/);
    expect(addressHint('preferred')).toMatch(/^E-mail addresses or phone numbers/);
  });
});

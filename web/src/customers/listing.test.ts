import { describe, expect, it } from 'vitest';

import { exportQuery } from './exportCustomers';
import { parseSort, totalWording } from './listing';

describe('the customer list', () => {
  it('words its total', () => {
    expect(totalWording(1234, '')).toBe('1,234 customers');
    expect(totalWording(1, '')).toBe('1 customer');
    expect(totalWording(12, 'pune')).toBe('12 match “pune”');
    expect(totalWording(1, 'pune')).toBe('1 matches “pune”');
    expect(totalWording(0, 'pune')).toBe('0 match “pune”');
    expect(totalWording(null, 'pune')).toBe('');
    expect(totalWording(undefined, '')).toBe('');
  });

  it('reads a sort from the URL, newest for anything else', () => {
    expect(parseSort('spend')).toBe('spend');
    expect(parseSort('name')).toBe('name');
    expect(parseSort(null)).toBe('newest');
    expect(parseSort('cheapest')).toBe('newest');
  });

  it('asks the export for the list, a segment or a rule', () => {
    expect(exportQuery({ search: '98123 45602' })).toBe('search=98123+45602&format=csv');
    expect(exportQuery({ search: '' })).toBe('format=csv');
    expect(exportQuery({ segmentId: 7 })).toBe('segment_id=7&format=csv');
    const rule = { combinator: 'and', rules: [{ field: 'city', operator: '=', value: 'Pune' }] };
    expect(new URLSearchParams(exportQuery({ rule })).get('rule')).toBe(JSON.stringify(rule));
  });
});

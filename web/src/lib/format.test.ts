import { describe, expect, it } from 'vitest';

import { formatCount, formatMoney, formatRate, formatRelative, toLocalInput } from './format';

describe('format', () => {
  it('shows money in the workspace currency', () => {
    expect(formatMoney('123456.00', 'INR')).toBe('₹1,23,456.00');
    expect(formatMoney('1499.5', 'USD')).toBe('$1,499.50');
    expect(formatMoney(null, 'INR')).toBe('—');
    expect(formatMoney('12.00', undefined)).toBe('12.00');
  });

  it('shows counts and rates', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(undefined)).toBe('—');
    expect(formatRate(0.9)).toBe('90%');
    expect(formatRate(0.6667)).toBe('66.7%');
    expect(formatRate(null)).toBe('—');
  });

  it('says how long ago', () => {
    const now = new Date('2026-05-01T12:00:00Z');
    expect(formatRelative('2026-05-01T11:59:50Z', now)).toBe('just now');
    expect(formatRelative('2026-05-01T11:50:00Z', now)).toBe('10 min ago');
    expect(formatRelative('2026-05-01T14:00:00Z', now)).toBe('in 2 h');
    expect(formatRelative('2026-04-29T12:00:00Z', now)).toBe('2 days ago');
    expect(formatRelative(null, now)).toBe('—');
  });

  it('fills datetime-local inputs in local time', () => {
    expect(toLocalInput(new Date(2026, 0, 5, 9, 7))).toBe('2026-01-05T09:07');
  });
});

import { describe, expect, it } from 'vitest';

import { safeReturnTo } from '@/auth/returnTo';

import { insertAt } from './template';
import { channelLabel, isLive, progress } from './shared';

const stats = (s: Partial<{ audience: number; pending: number; sent: number; failed: number; skipped: number }>) => ({
  audience: 0,
  pending: 0,
  sent: 0,
  failed: 0,
  skipped: 0,
  ...s,
});

describe('campaign progress', () => {
  it('counts outcomes over the audience', () => {
    expect(progress(stats({ audience: 10, sent: 6, failed: 1, skipped: 1, pending: 2 }))).toBeCloseTo(0.8);
    expect(progress(stats({}))).toBe(0);
  });

  it('keeps asking while something can still change', () => {
    expect(isLive({ status: 'running', stats: stats({}) })).toBe(true);
    expect(isLive({ status: 'scheduled', stats: stats({}) })).toBe(true);
    expect(isLive({ status: 'completed', stats: stats({ pending: 0 }) })).toBe(false);
    expect(isLive({ status: 'completed', stats: stats({ pending: 3 }) })).toBe(true);
    expect(isLive({ status: 'cancelled', stats: stats({ pending: 3 }) })).toBe(false);
  });

  it('names channels', () => {
    expect(channelLabel('whatsapp')).toBe('WhatsApp');
    expect(channelLabel('carrier-pigeon')).toBe('carrier-pigeon');
    expect(channelLabel(null)).toBe('—');
  });
});

describe('composer', () => {
  it('inserts a variable at the caret', () => {
    expect(insertAt('Hi !', '{{ first_name }}', 3, 3)).toEqual({ text: 'Hi {{ first_name }}!', caret: 19 });
    expect(insertAt('Hi', ' {{ city }}', null, null)).toEqual({ text: 'Hi {{ city }}', caret: 13 });
    expect(insertAt('Hi NAME', '{{ name }}', 3, 7).text).toBe('Hi {{ name }}');
  });
});

describe('sign-in', () => {
  it('returns only to paths of this site', () => {
    expect(safeReturnTo('/campaigns/3')).toBe('/campaigns/3');
    expect(safeReturnTo('//evil.example')).toBe('/');
    expect(safeReturnTo('https://evil.example')).toBe('/');
    expect(safeReturnTo('/\\evil')).toBe('/');
    expect(safeReturnTo(null)).toBe('/');
  });
});

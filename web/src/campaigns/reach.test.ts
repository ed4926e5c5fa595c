import { describe, expect, it } from 'vitest';

import { logReason } from '@/compliance/consent';

import { describeReach, type Reach } from './reach';

describe('campaign reach in the launch dialog', () => {
  it('says per channel who gets it and why the rest are skipped, with thousands separators', () => {
    const reach: Reach = {
      matched: 9_785,
      reachable: 9_412,
      no_address: 214,
      channels: [
        {
          channel: 'sms',
          reachable: 9_412,
          // The server's order (alphabetical); shown in the log's order.
          skipped: { frequency_cap: 8, suppressed: 31, unsubscribed: 120 },
        },
      ],
    };
    const summary = describeReach(reach, 'sms');
    expect(summary.lines.map((l) => l.text)).toEqual([
      'SMS: 9,412 will get it · Unsubscribed: 120 · On the suppression list: 31 · Frequency cap reached: 8',
    ]);
    expect(summary.lines[0]!.parts.map((p) => [p.key, p.count])).toEqual([
      ['reachable', 9_412],
      ['unsubscribed', 120],
      ['suppressed', 31],
      ['frequency_cap', 8],
    ]);
    expect(summary.noAddress).toBe('214 have no address for this channel');
    expect(summary.total).toBeNull();
    expect(summary.empty).toBeNull();
  });

  it('words the reasons as the campaign log does', () => {
    const reach: Reach = {
      matched: 2,
      reachable: 0,
      no_address: 0,
      channels: [{ channel: 'whatsapp', reachable: 0, skipped: { pending: 1, no_consent: 1 } }],
    };
    const [line] = describeReach(reach, 'whatsapp').lines;
    expect(line!.text).toBe(
      `WhatsApp: 0 will get it · ${logReason('SKIPPED', 'pending')!.text}: 1 · ${logReason('SKIPPED', 'no_consent')!.text}: 1`,
    );
  });

  it('hides zero counts', () => {
    const reach: Reach = {
      matched: 1_000_000,
      reachable: 1_000_000,
      no_address: 0,
      channels: [{ channel: 'email', reachable: 1_000_000, skipped: { unsubscribed: 0 } }],
    };
    const summary = describeReach(reach, 'email');
    expect(summary.lines.map((l) => l.text)).toEqual(['E-mail: 1,000,000 will get it']);
    expect(summary.noAddress).toBeNull();
    expect(summary.empty).toBeNull();
  });

  it('gives a line per channel for a preferred-channel campaign, and a total', () => {
    const reach: Reach = {
      matched: 12_345,
      reachable: 11_000,
      no_address: 1,
      channels: [
        { channel: 'email', reachable: 6_000, skipped: { unsubscribed: 1_200 } },
        { channel: 'sms', reachable: 5_000, skipped: {} },
        { channel: 'whatsapp', reachable: 0, skipped: { no_consent: 144 } },
      ],
    };
    const summary = describeReach(reach, 'preferred');
    expect(summary.lines.map((l) => l.text)).toEqual([
      'E-mail: 6,000 will get it · Unsubscribed: 1,200',
      'SMS: 5,000 will get it',
      'WhatsApp: 0 will get it · No consent recorded (the channel is opt-in): 144',
    ]);
    expect(summary.lines.map((l) => l.channel)).toEqual(['email', 'sms', 'whatsapp']);
    expect(summary.noAddress).toBe('1 has no address for any channel');
    expect(summary.total).toBe('In all: 11,000 of 12,345 will get it');
  });

  it('says when nobody matches, and names a reason it does not know', () => {
    expect(describeReach({ matched: 0, reachable: 0, no_address: 0, channels: [] }, 'sms')).toEqual({
      lines: [],
      noAddress: null,
      total: null,
      empty: 'Nobody matches this audience now.',
    });
    const [line] = describeReach(
      {
        matched: 3,
        reachable: 1,
        no_address: 0,
        channels: [{ channel: 'sms', reachable: 1, skipped: { opted_out_elsewhere: 2 } }],
      },
      'sms',
    ).lines;
    expect(line!.text).toBe('SMS: 1 will get it · Skipped (opted_out_elsewhere): 2');
  });

  it('says "reachable" in the audience builder, where there is no message yet', () => {
    const reach: Reach = {
      matched: 10,
      reachable: 7,
      no_address: 2,
      channels: [
        { channel: 'email', reachable: 4, skipped: { suppressed: 1 } },
        { channel: 'sms', reachable: 3, skipped: {} },
      ],
    };
    const summary = describeReach(reach, 'preferred', 'audience');
    expect(summary.lines.map((l) => l.text)).toEqual([
      'E-mail: 4 reachable · On the suppression list: 1',
      'SMS: 3 reachable',
    ]);
    expect(summary.noAddress).toBe('2 have no address for any channel');
    expect(summary.total).toBe('In all: 7 of 10 reachable');
  });
});

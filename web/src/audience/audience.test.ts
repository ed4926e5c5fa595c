import type { RuleGroupType } from 'react-querybuilder';
import { describe, expect, it } from 'vitest';

import { catalogue } from '@/test/catalogue';

import { describeRule } from './describe';
import { groupRuleErrors, parseRulePath } from './errors';
import { emptyValue, fromServerRule, incompletePaths, isIncomplete, toServerRule } from './fields';

const nested: RuleGroupType = {
  id: 'root',
  combinator: 'and',
  not: false,
  rules: [
    { id: 'a', field: 'total_spend', operator: '>', value: '10000' },
    {
      id: 'g',
      combinator: 'or',
      not: false,
      rules: [
        { id: 'b', field: 'visits', operator: '<', value: '3' },
        { id: 'c', field: 'inactive_days', operator: '>=', value: '90' },
      ],
    },
  ],
};

describe('server error paths', () => {
  it('locate conditions and parts', () => {
    expect(parseRulePath('rule.rules[1].rules[0].value')).toEqual({ path: [1, 0], part: 'value' });
    expect(parseRulePath('rule.rules[2]')).toEqual({ path: [2], part: null });
    expect(parseRulePath('rule')).toEqual({ path: [], part: null });
    expect(parseRulePath('rule.rules[0].field')).toEqual({ path: [0], part: 'field' });
    expect(parseRulePath('name')).toBeNull();
    expect(parseRulePath('rules')).toBeNull();
  });

  it('group by condition', () => {
    const grouped = groupRuleErrors([
      { field: 'rule.rules[1].rules[0].value', message: 'must be a whole number' },
      { field: 'rule.rules[1].rules[0].operator', message: 'unknown operator' },
      { field: 'rule', message: 'too deep' },
      { field: 'name', message: 'is required' },
    ]);
    expect(grouped.get('1.0')).toEqual([
      { part: 'value', message: 'must be a whole number' },
      { part: 'operator', message: 'unknown operator' },
    ]);
    expect(grouped.get('')).toEqual([{ part: null, message: 'too deep' }]);
    expect(grouped.size).toBe(2);
  });
});

describe('rule JSON', () => {
  it('drops client ids for the server and keeps the shape', () => {
    expect(toServerRule(nested)).toEqual({
      combinator: 'and',
      not: false,
      rules: [
        { field: 'total_spend', operator: '>', value: '10000' },
        {
          combinator: 'or',
          not: false,
          rules: [
            { field: 'visits', operator: '<', value: '3' },
            { field: 'inactive_days', operator: '>=', value: '90' },
          ],
        },
      ],
    });
  });

  it('round-trips through the server form', () => {
    expect(toServerRule(fromServerRule(toServerRule(nested)))).toEqual(toServerRule(nested));
    expect(fromServerRule({ rules: [] })).toEqual({ combinator: 'and', not: false, rules: [] });
  });

  it('starts values by input shape', () => {
    expect(emptyValue('pair')).toEqual(['', '']);
    expect(emptyValue('list')).toEqual([]);
    expect(emptyValue('none')).toBeNull();
    expect(emptyValue('days')).toBe('');
  });

  it('knows which conditions still lack a value', () => {
    expect(isIncomplete({ field: 'visits', operator: '<', value: '' }, catalogue)).toBe(true);
    expect(isIncomplete({ field: 'visits', operator: 'between', value: ['1', ''] }, catalogue)).toBe(true);
    expect(isIncomplete({ field: 'visits', operator: 'between', value: ['1', '4'] }, catalogue)).toBe(false);
    expect(isIncomplete({ field: 'last_order_at', operator: 'null', value: null }, catalogue)).toBe(false);
    expect(isIncomplete({ field: 'city', operator: 'in', value: [] }, catalogue)).toBe(true);
    expect(isIncomplete({ field: 'city', operator: 'in', value: 'Pune, Goa' }, catalogue)).toBe(false);
    // Unknown fields are for the server to judge.
    expect(isIncomplete({ field: 'nope', operator: '=', value: '' }, catalogue)).toBe(false);
    const group: RuleGroupType = {
      combinator: 'and',
      rules: [
        { field: 'visits', operator: '<', value: '1' },
        { combinator: 'or', rules: [{ field: 'city', operator: '=', value: ' ' }] },
      ],
    };
    expect(incompletePaths(group, catalogue)).toEqual(['1.0']);
  });
});

describe('plain English', () => {
  it('reads a nested rule with the catalogue labels', () => {
    expect(describeRule(nested, catalogue, 'INR')).toBe(
      'Total spend greater than ₹10,000.00 and (Visits less than 3 or Days inactive at least 90)',
    );
  });

  it('fills day counts, pairs, lists and negation', () => {
    const rule: RuleGroupType = {
      combinator: 'or',
      not: true,
      rules: [
        { field: 'last_order_at', operator: 'withinDays', value: '30' },
        { field: 'visits', operator: 'between', value: ['2', '5'] },
        { field: 'preferred_channel', operator: 'in', value: ['sms', 'email', 'whatsapp'] },
        { field: 'last_order_at', operator: 'null', value: null },
        { field: 'city', operator: 'contains', value: 'pun' },
      ],
    };
    expect(describeRule(rule, catalogue)).toBe(
      'not (Last order within the last 30 days or Visits between 2 and 5 or Preferred channel is one of sms, email or whatsapp or Last order is empty or City contains “pun”)',
    );
  });

  it('says what empty groups mean, as the server does', () => {
    expect(describeRule({ combinator: 'and', rules: [] }, catalogue)).toBe('everyone');
    expect(describeRule({ combinator: 'or', rules: [] }, catalogue)).toBe('no one');
  });
});

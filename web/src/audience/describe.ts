// The rule in plain English, from the catalogue's own field and operator labels: "Total spend greater than
// ₹10,000.00 and (Visits less than 3 or Days inactive at least 90)".
import type { RuleGroupType, RuleType } from 'react-querybuilder';

import { formatMoney } from '@/lib/format';

import { findField, findOperator, type FieldView, type SegmentFields } from './fields';

function listText(items: string[], joiner: 'or' | 'and'): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} ${joiner} ${items[items.length - 1]}`;
}

function items(value: unknown): string[] {
  if (Array.isArray(value)) return value.map((v) => String(v).trim());
  if (typeof value === 'string') return value.split(',').map((v) => v.trim());
  return value === null || value === undefined ? [] : [String(value)];
}

function scalarText(field: FieldView | undefined, value: unknown, currency: string | undefined): string {
  const text = String(value ?? '').trim();
  if (text === '') return '…';
  switch (field?.type) {
    case 'money':
      return formatMoney(text, currency);
    case 'string':
      return `“${text}”`;
    case 'boolean':
      return text === 'true' ? 'yes' : text === 'false' ? 'no' : text;
    default:
      return text;
  }
}

export function describeCondition(rule: RuleType, catalogue: SegmentFields, currency?: string): string {
  const field = findField(catalogue, rule.field);
  const op = findOperator(field, rule.operator);
  const name = field?.label ?? rule.field;
  const opLabel = op?.label ?? rule.operator;
  switch (op?.input) {
    case 'none':
      return `${name} ${opLabel}`;
    case 'days': {
      const n = String(rule.value ?? '').trim() || 'N';
      // The catalogue's labels say "within the last N days"; put the number in.
      return / N /.test(` ${opLabel} `) ? `${name} ${opLabel.replace(/\bN\b/, n)}` : `${name} ${opLabel} ${n} days`;
    }
    case 'pair': {
      const [from, to] = items(rule.value);
      return `${name} ${opLabel} ${scalarText(field, from, currency)} and ${scalarText(field, to, currency)}`;
    }
    case 'list': {
      const values = items(rule.value)
        .filter(Boolean)
        .map((v) => scalarText(field, v, currency));
      return `${name} ${opLabel} ${values.length ? listText(values, 'or') : '…'}`;
    }
    default:
      return `${name} ${opLabel} ${scalarText(field, rule.value, currency)}`;
  }
}

/** The whole rule; nested groups in parentheses, negated ones as "not (…)". */
export function describeRule(
  group: RuleGroupType,
  catalogue: SegmentFields,
  currency?: string,
  nested = false,
): string {
  const parts = group.rules
    .filter((r): r is RuleType | RuleGroupType => typeof r !== 'string')
    .map((r) =>
      'rules' in r ? describeRule(r, catalogue, currency, true) : describeCondition(r, catalogue, currency),
    );
  const combinator = String(group.combinator).toLowerCase();
  let text: string;
  if (parts.length === 0) {
    text = combinator === 'or' ? catalogue.empty_or : catalogue.empty_and;
  } else {
    text = parts.join(` ${combinator} `);
    if (nested && parts.length > 1) text = `(${text})`;
  }
  return group.not ? `not ${parts.length > 1 && !nested ? `(${text})` : text}` : text;
}

// The server's field catalogue (`GET /api/v1/segment-fields`) as react-querybuilder fields. Every field,
// operator, enum value and input shape comes from the server; nothing about what a rule may say is decided
// here.
import type { Field, RuleGroupType, RuleType } from 'react-querybuilder';

import type { Schemas } from '@/api/client';

export type FieldView = Schemas['FieldView'];
export type OperatorView = Schemas['OperatorView'];
export type SegmentFields = Schemas['SegmentFields'];
export type OperatorInput = OperatorView['input'];

/** A builder field carrying the catalogue entry it came from. */
export type BuilderField = Field & { catalogue: FieldView };

export function toBuilderFields(catalogue: SegmentFields): BuilderField[] {
  return catalogue.fields.map((f) => ({
    name: f.name,
    label: f.label,
    operators: f.operators.map((op) => ({ name: op.name, label: op.label })),
    values: f.values?.map((v) => ({ name: v, label: v })),
    catalogue: f,
  }));
}

export function findField(catalogue: SegmentFields, name: string): FieldView | undefined {
  return catalogue.fields.find((f) => f.name === name);
}

export function findOperator(field: FieldView | undefined, name: string): OperatorView | undefined {
  return field?.operators.find((op) => op.name === name);
}

/** The starting value of a condition for an operator's input shape. */
export function emptyValue(input: OperatorInput | undefined): unknown {
  switch (input) {
    case 'pair':
      return ['', ''];
    case 'list':
      return [];
    case 'none':
      return null;
    default:
      return '';
  }
}

function blank(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
}

/**
 * Whether a condition still lacks what its input asks for (a value not typed yet). Such conditions are not
 * sent for counting; the builder asks for the value instead of showing the server's refusal of a blank.
 */
export function isIncomplete(rule: RuleType, catalogue: SegmentFields): boolean {
  const op = findOperator(findField(catalogue, rule.field), rule.operator);
  if (!op) return false; // unknown to us: let the server say what is wrong
  const v: unknown = rule.value;
  switch (op.input) {
    case 'none':
      return false;
    case 'pair':
      return Array.isArray(v) ? v.length < 2 || v.some(blank) : blank(v);
    case 'list':
      return Array.isArray(v) ? v.length === 0 || v.every(blank) : blank(v);
    default:
      return blank(v);
  }
}

/** Paths (as `pathKey`) of the incomplete conditions of a rule. */
export function incompletePaths(group: RuleGroupType, catalogue: SegmentFields, prefix: number[] = []): string[] {
  const out: string[] = [];
  group.rules.forEach((r, i) => {
    if (typeof r === 'string') return;
    const path = [...prefix, i];
    if ('rules' in r) out.push(...incompletePaths(r, catalogue, path));
    else if (isIncomplete(r, catalogue)) out.push(path.join('.'));
  });
  return out;
}

/** A rule as the server takes it (the spec's `RuleGroup`). */
export type ServerRule = Schemas['RuleGroup'];

/** The rule as the server takes it: react-querybuilder's JSON without its client-side ids. */
export function toServerRule(group: RuleGroupType): ServerRule {
  return {
    // The builder offers only `and` and `or` (`combinators` of the catalogue).
    combinator: group.combinator.toLowerCase() === 'or' ? 'or' : 'and',
    not: group.not ?? false,
    rules: group.rules
      .filter((r): r is RuleType | RuleGroupType => typeof r !== 'string')
      .map((r) =>
        'rules' in r
          ? toServerRule(r)
          : {
              field: r.field,
              // The builder only offers the catalogue's operators; the server names any other it is sent.
              operator: r.operator as Schemas['RuleCondition']['operator'],
              value: r.value === undefined ? null : r.value,
            },
      ),
  };
}

/** A rule from the server (saved segment, text → rule) as a builder query. */
export function fromServerRule(json: unknown): RuleGroupType {
  const group = (json ?? {}) as Partial<RuleGroupType>;
  return {
    combinator: typeof group.combinator === 'string' ? group.combinator : 'and',
    not: Boolean(group.not),
    rules: Array.isArray(group.rules)
      ? group.rules.map((r) => {
          const item = r as RuleType | RuleGroupType;
          return 'rules' in item
            ? fromServerRule(item)
            : { field: item.field, operator: item.operator, value: item.value };
        })
      : [],
  };
}

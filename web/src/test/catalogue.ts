// A catalogue shaped like `GET /api/v1/segment-fields` answers, for unit tests.
import type { SegmentFields } from '@/audience/fields';

const num = [
  { name: '=', label: 'is', input: 'value' },
  { name: '!=', label: 'is not', input: 'value' },
  { name: '<', label: 'less than', input: 'value' },
  { name: '<=', label: 'at most', input: 'value' },
  { name: '>', label: 'greater than', input: 'value' },
  { name: '>=', label: 'at least', input: 'value' },
  { name: 'between', label: 'between', input: 'pair' },
  { name: 'notBetween', label: 'not between', input: 'pair' },
] as const;

export const catalogue: SegmentFields = {
  fields: [
    { name: 'total_spend', label: 'Total spend', type: 'money', operators: [...num], nullable: false, description: '' },
    { name: 'visits', label: 'Visits', type: 'integer', operators: [...num], nullable: false, description: '' },
    {
      name: 'inactive_days',
      label: 'Days inactive',
      type: 'integer',
      operators: [...num],
      nullable: false,
      description: '',
    },
    {
      name: 'last_order_at',
      label: 'Last order',
      type: 'date',
      operators: [
        { name: '<', label: 'less than', input: 'value' },
        { name: 'withinDays', label: 'within the last N days', input: 'days' },
        { name: 'olderThanDays', label: 'more than N days ago', input: 'days' },
        { name: 'null', label: 'is empty', input: 'none' },
      ],
      nullable: true,
      description: '',
    },
    {
      name: 'city',
      label: 'City',
      type: 'string',
      operators: [
        { name: '=', label: 'is', input: 'value' },
        { name: 'contains', label: 'contains', input: 'value' },
        { name: 'in', label: 'is one of', input: 'list' },
      ],
      nullable: true,
      description: '',
    },
    {
      name: 'preferred_channel',
      label: 'Preferred channel',
      type: 'enum',
      values: ['sms', 'email', 'whatsapp'],
      operators: [
        { name: '=', label: 'is', input: 'value' },
        { name: 'in', label: 'is one of', input: 'list' },
      ],
      nullable: true,
      description: '',
    },
  ],
  combinators: ['and', 'or'],
  empty_and: 'everyone',
  empty_or: 'no one',
  max_depth: 6,
  max_conditions: 100,
} as SegmentFields;

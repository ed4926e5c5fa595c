// The customer list's pure parts: its orders (as the API names them) and how its size is worded.
import type { paths } from '@/api/schema';

export type CustomerSort = NonNullable<NonNullable<paths['/api/v1/customers']['get']['parameters']['query']>['sort']>;

/** The orders offered, in the order the control lists them; the first is the API's default. */
export const SORTS: { value: CustomerSort; label: string }[] = [
  { value: 'newest', label: 'Newest' },
  { value: 'spend', label: 'Highest spend' },
  { value: 'last_order', label: 'Most recent order' },
  { value: 'name', label: 'Name A–Z' },
];

/** The `sort` of a URL query, the default for anything else. */
export function parseSort(value: string | null): CustomerSort {
  return SORTS.find((s) => s.value === value)?.value ?? 'newest';
}

/** "1,234 customers", or with a search "12 match “pune”"; empty while the total is not known. */
export function totalWording(total: number | null | undefined, search: string): string {
  if (total === null || total === undefined) return '';
  const n = total.toLocaleString('en-US');
  if (search) return `${n} ${total === 1 ? 'matches' : 'match'} “${search}”`;
  return `${n} ${total === 1 ? 'customer' : 'customers'}`;
}

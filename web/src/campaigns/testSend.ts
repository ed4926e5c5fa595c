// A test send's addresses as the marketer types them (one per line or separated by commas), and the
// server's answer placed at each address: its `to[i]` messages, then its result.
import type { ApiProblem } from '@/api/problem';

/** Most addresses one test may name (the server's `MAX_TEST_RECIPIENTS`). */
export const MAX_TEST_RECIPIENTS = 10;

/** The addresses in `text`: split at line breaks, commas and semicolons, trimmed, blanks and repeats dropped. */
export function parseAddresses(text: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const part of text.split(/[\n\r,;]+/)) {
    const address = part.trim();
    if (address && !seen.has(address)) {
      seen.add(address);
      out.push(address);
    }
  }
  return out;
}

/** The client's own refusal of a list, before asking: none named, or more than the server takes. */
export function listProblem(addresses: readonly string[]): string | null {
  if (addresses.length > MAX_TEST_RECIPIENTS)
    return `At most ${MAX_TEST_RECIPIENTS} addresses per test: remove ${addresses.length - MAX_TEST_RECIPIENTS}.`;
  return null;
}

/** The server's 422 split by place: `to[i]` at address i, `to` for the whole list, the rest as they are. */
export function placeErrors(problem: ApiProblem | null): {
  byIndex: Map<number, string[]>;
  list: string[];
  customer: string[];
  other: string[];
} {
  const byIndex = new Map<number, string[]>();
  const list: string[] = [];
  const customer: string[] = [];
  const other: string[] = [];
  for (const e of problem?.errors ?? []) {
    const at = /^to\[(\d+)\]$/.exec(e.field);
    if (at) {
      const i = Number(at[1]);
      byIndex.set(i, [...(byIndex.get(i) ?? []), e.message]);
    } else if (e.field === 'to') list.push(e.message);
    else if (e.field === 'customer_external_id') customer.push(e.message);
    else other.push(`${e.field}: ${e.message}`);
  }
  return { byIndex, list, customer, other };
}

/** What the address box asks for, by the campaign's channel. */
export function addressHint(channel: string): string {
  const what =
    channel === 'email'
      ? 'E-mail addresses'
      : channel === 'preferred'
        ? 'E-mail addresses or phone numbers with + and the country code'
        : 'Phone numbers with + and the country code';
  return `${what}, one per line or separated by commas; up to ${MAX_TEST_RECIPIENTS}.`;
}

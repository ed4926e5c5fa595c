// Display formatting: money in the workspace currency, counts, dates, percentages. Values arrive from the
// server already computed (decimal strings for money); this only presents them.

/** A locale whose grouping suits the currency (lakh/crore grouping for rupees). */
export function localeFor(currency: string | undefined): string {
  return currency === 'INR' ? 'en-IN' : 'en-US';
}

/** "123456.00" in INR → "₹1,23,456.00". Unknown currencies fall back to "123,456.00 XYZ". */
export function formatMoney(amount: string | number | null | undefined, currency: string | undefined): string {
  if (amount === null || amount === undefined || amount === '') return '—';
  const value = typeof amount === 'number' ? amount : Number(amount);
  if (!Number.isFinite(value)) return String(amount);
  const locale = localeFor(currency);
  if (!currency) return value.toLocaleString(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(value);
  } catch {
    return `${value.toLocaleString(locale, { minimumFractionDigits: 2 })} ${currency}`;
  }
}

/** Compact money for chart axes and cards: "₹12.3L" style is avoided; "₹1.2M" is universal enough. */
export function formatMoneyCompact(amount: string | number, currency: string | undefined): string {
  const value = typeof amount === 'number' ? amount : Number(amount);
  if (!Number.isFinite(value)) return String(amount);
  try {
    return new Intl.NumberFormat(localeFor(currency), {
      style: currency ? 'currency' : 'decimal',
      currency,
      notation: 'compact',
      maximumFractionDigits: 1,
    }).format(value);
  } catch {
    return formatMoney(value, currency);
  }
}

export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  return n.toLocaleString('en-US');
}

/** 0.9 → "90%", 0.66667 → "66.7%"; null (no outcome yet) → "—". */
export function formatRate(rate: number | null | undefined): string {
  if (rate === null || rate === undefined) return '—';
  const pct = rate * 100;
  return `${Number.isInteger(Math.round(pct * 10) / 10) ? Math.round(pct) : pct.toFixed(1)}%`;
}

const dateTime = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});
const dateOnly = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric' });

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? iso : dateTime.format(at);
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const at = new Date(iso.length === 10 ? `${iso}T00:00:00Z` : iso);
  return Number.isNaN(at.getTime()) ? iso : dateOnly.format(at);
}

/** "3 min ago", "in 2 h", for recent times; falls back to a date. */
export function formatRelative(iso: string | null | undefined, now: Date = new Date()): string {
  if (!iso) return '—';
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const seconds = Math.round((at.getTime() - now.getTime()) / 1000);
  const abs = Math.abs(seconds);
  const say = (n: number, unit: string) => (seconds < 0 ? `${n} ${unit} ago` : `in ${n} ${unit}`);
  if (abs < 45) return seconds < 0 ? 'just now' : 'in a moment';
  if (abs < 3600) return say(Math.round(abs / 60), 'min');
  if (abs < 86400) return say(Math.round(abs / 3600), 'h');
  if (abs < 7 * 86400) return say(Math.round(abs / 86400), abs < 1.5 * 86400 ? 'day' : 'days');
  return formatDate(iso);
}

/** A value for `<input type="datetime-local">` from a Date, in local time. */
export function toLocalInput(at: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
}

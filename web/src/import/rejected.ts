// The rejected rows of an import as a file to fix and import again: the report's `rejected_csv` (the file's
// own columns and an `error` column), saved next to the original's name.
import { saveBlob } from '@/lib/download';

/** "customers.csv" → "customers-rejected.csv"; a name without `.csv` keeps its whole self. */
export function rejectedFileName(original: string): string {
  const base = original.trim().replace(/\.csv$/i, '') || 'import';
  return `${base}-rejected.csv`;
}

/** Saves `csv` as `<original>-rejected.csv`; returns the file name used. */
export function downloadRejectedCsv(csv: string, original: string, doc?: Document): string {
  const name = rejectedFileName(original);
  saveBlob(new Blob([csv], { type: 'text/csv;charset=utf-8' }), name, doc);
  return name;
}

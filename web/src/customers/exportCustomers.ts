// Downloading customers as CSV (`GET /api/v1/customers/export`): the searched list, a saved segment or a
// rule. Fetched rather than linked, because a plain link cannot carry the workspace header and would export
// the person's first workspace instead of the one on screen.
import { sessionHeaders } from '@/api/client';
import { toProblem } from '@/api/problem';
import { saveBlob } from '@/lib/download';

/** Which customers: the list as searched, a saved segment, or a rule (the server's JSON, as previewed). */
export type ExportSource = { search: string } | { segmentId: number } | { rule: unknown };

/** The export's query string (CSV). */
export function exportQuery(source: ExportSource): string {
  const query = new URLSearchParams();
  if ('segmentId' in source) query.set('segment_id', String(source.segmentId));
  else if ('rule' in source) query.set('rule', JSON.stringify(source.rule));
  else if (source.search) query.set('search', source.search);
  query.set('format', 'csv');
  return query.toString();
}

/** Fetches the export and has the browser save it as `filename`; throws an ApiProblem when refused. */
export async function downloadCustomers(source: ExportSource, filename: string): Promise<void> {
  const response = await fetch(`/api/v1/customers/export?${exportQuery(source)}`, {
    headers: sessionHeaders(),
    credentials: 'same-origin',
  });
  if (!response.ok) throw toProblem(response.status, await response.json().catch(() => null), response.statusText);
  saveBlob(await response.blob(), filename);
}

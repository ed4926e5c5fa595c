// Just enough CSV (RFC 4180) for the browser's part of an import: the header row to map, and the first
// rows to show. The server parses the whole file itself when it imports.

/** Records of `text`, at most `limit` of them. Quotes, doubled quotes, CRLF/LF and a UTF-8 BOM are handled. */
export function parseCsv(text: string, limit = Infinity): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRecord = () => {
    record.push(field);
    field = '';
    // A blank line is no record.
    if (!(record.length === 1 && record[0] === '')) records.push(record);
    record = [];
  };
  for (; i < text.length && records.length < limit; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
        }
      } else {
        field += ch;
      }
    } else if (ch === '"' && field === '') {
      quoted = true;
    } else if (ch === ',') {
      record.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRecord();
    } else {
      field += ch;
    }
  }
  if (records.length < limit && (field !== '' || record.length > 0)) endRecord();
  return records;
}

/** The header row's column names, trimmed. */
export function headerRow(text: string): string[] {
  return (parseCsv(text, 1)[0] ?? []).map((h) => h.trim());
}

/** Data lines in the file (records after the header), counted without keeping them. */
export function countDataRows(text: string): number {
  return Math.max(0, parseCsv(text).length - 1);
}

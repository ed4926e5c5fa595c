// Pre-filling the column mapping: a CSV column maps to the import field whose name or label it matches, or
// else one of the field's synonyms from `GET /api/v1/import-fields` ("Full Name" → name, "Mobile" → phone),
// comparing headings as the server does: lower case, letters and digits only ("E-mail" → email).
import type { Schemas } from '@/api/client';

export interface ImportField {
  name: string;
  label: string;
  required: boolean;
  /** Other headings that mean this field (the server's list). */
  synonyms?: readonly string[];
}

export function normalise(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/**
 * `{field name: CSV column}` for every field some column matches, as the server's own suggestion: each field
 * takes the first unused column whose heading is its name or label, then the fields still unmapped take the
 * first unused column whose heading is one of their synonyms. Each column is used once.
 */
export function autoMap(fields: readonly ImportField[], headers: readonly string[]): Record<string, string> {
  const mapping: Record<string, string> = {};
  const keys = headers.map((h) => (h ? normalise(h) : ''));
  const used = headers.map(() => false);
  const passes: ((f: ImportField) => string[])[] = [
    (f) => [f.name, f.label, f.name.replace(/^attributes\./, '')],
    (f) => [...(f.synonyms ?? [])],
  ];
  for (const names of passes) {
    for (const field of fields) {
      if (field.name in mapping) continue;
      const wanted = new Set(names(field).map(normalise).filter(Boolean));
      const index = keys.findIndex((key, i) => !used[i] && key !== '' && wanted.has(key));
      if (index >= 0) {
        used[index] = true;
        mapping[field.name] = headers[index]!;
      }
    }
  }
  return mapping;
}

/** A custom attribute key from a column header: "Loyalty Tier" → "loyalty_tier". */
export function attributeKey(header: string): string {
  return header
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/** Required fields no column is mapped to. */
export function missingRequired(fields: readonly ImportField[], mapping: Record<string, string>): ImportField[] {
  return fields.filter((f) => f.required && !mapping[f.name]);
}

export type DateFormat = Schemas['DateFormat'];

/** The choices of "Dates are written as", in the server's words (`date_format`). */
export const DATE_FORMATS: readonly { value: DateFormat; label: string; example: string }[] = [
  { value: 'iso', label: 'ISO (YYYY-MM-DD)', example: '2025-01-12' },
  { value: 'dd/mm/yyyy', label: 'DD/MM/YYYY', example: '12/01/2025' },
  { value: 'mm/dd/yyyy', label: 'MM/DD/YYYY', example: '01/12/2025' },
];

// Pre-filling the column mapping: a CSV column maps to the import field whose name or label it matches,
// ignoring case, spaces, dashes and underscores ("E-mail" → email, "Customer ID" → customer_id).

export interface ImportField {
  name: string;
  label: string;
  required: boolean;
}

export function normalise(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** `{field name: CSV column}` for every field some column matches; each column is used once. */
export function autoMap(fields: readonly ImportField[], headers: readonly string[]): Record<string, string> {
  const mapping: Record<string, string> = {};
  const used = new Set<string>();
  const byKey = new Map<string, string>();
  for (const h of headers) if (h && !byKey.has(normalise(h))) byKey.set(normalise(h), h);
  for (const field of fields) {
    const candidates = [field.name, field.label, field.name.replace(/^attributes\./, '')];
    for (const candidate of candidates) {
      const header = byKey.get(normalise(candidate));
      if (header && !used.has(header)) {
        mapping[field.name] = header;
        used.add(header);
        break;
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

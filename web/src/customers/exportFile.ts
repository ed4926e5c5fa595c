/** A file name for a customer's export: their id, with anything a file system dislikes replaced. */
export function exportFileName(externalId: string): string {
  return `customer-${externalId.replace(/[^A-Za-z0-9._-]+/g, '_')}.json`;
}

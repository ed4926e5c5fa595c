// Saving something the page holds as a file: a Blob behind an object URL, clicked through a link that is
// gone again at once (the URL is freed a little later, once the browser has started the download).

/** Has the browser save `blob` as `filename`. */
export function saveBlob(blob: Blob, filename: string, doc: Document = document): void {
  const url = URL.createObjectURL(blob);
  const a = doc.createElement('a');
  a.href = url;
  a.download = filename;
  doc.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

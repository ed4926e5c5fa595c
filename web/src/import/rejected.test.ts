// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';

import { downloadRejectedCsv, rejectedFileName } from './rejected';

describe('the rejected rows download', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.useRealTimers();
  });

  it('is named after the original file', () => {
    expect(rejectedFileName('customers.csv')).toBe('customers-rejected.csv');
    expect(rejectedFileName('Spring list.CSV')).toBe('Spring list-rejected.csv');
    expect(rejectedFileName('export.txt')).toBe('export.txt-rejected.csv');
    expect(rejectedFileName('')).toBe('import-rejected.csv');
  });

  it('saves the CSV as a blob through a link, then frees its URL', async () => {
    vi.useFakeTimers();
    const blobs: Blob[] = [];
    // jsdom has no object URLs: stand in for them.
    URL.createObjectURL = vi.fn((blob: Blob) => {
      blobs.push(blob);
      return 'blob:rejected';
    });
    URL.revokeObjectURL = vi.fn();
    const clicks: { href: string; download: string; attached: boolean }[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicks.push({ href: this.href, download: this.download, attached: document.body.contains(this) });
    });
    const csv = 'external_id,email,error\nC2,not-an-email,email: not a valid e-mail address\n';

    expect(downloadRejectedCsv(csv, 'customers.csv')).toBe('customers-rejected.csv');

    expect(clicks).toEqual([{ href: 'blob:rejected', download: 'customers-rejected.csv', attached: true }]);
    expect(document.querySelectorAll('a').length).toBe(0);
    expect(blobs).toHaveLength(1);
    expect(blobs[0]!.type).toBe('text/csv;charset=utf-8');
    expect(URL.revokeObjectURL).not.toHaveBeenCalled();
    vi.runAllTimers();
    expect(URL.revokeObjectURL).toHaveBeenCalledWith('blob:rejected');
    vi.useRealTimers();
    // jsdom's Blob has no text(): read it as the browser would.
    const text = await new Promise<string>((resolve) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result));
      reader.readAsText(blobs[0]!);
    });
    expect(text).toBe(csv);
  });
});

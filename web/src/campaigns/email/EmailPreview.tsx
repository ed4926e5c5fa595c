// An e-mail as a mail client would show it: who it is from, the subject with the preheader after it, and the
// rendered HTML at a desktop or a phone width. The HTML is the server's rendering (message-preview), shown
// in an iframe with `sandbox=""`: no scripts, no forms, no access to this page, whatever the body holds.
import { useState } from 'react';

import { cx } from '@/lib/cx';

import { previewDocument } from './previewDocument';

type Width = 'desktop' | 'phone';

const WIDTHS: Record<Width, { label: string; px: number }> = {
  desktop: { label: 'Desktop', px: 640 },
  phone: { label: 'Phone', px: 375 },
};

export function EmailPreview({
  html,
  subject,
  preheader,
}: {
  html: string;
  subject: string;
  preheader?: string | undefined;
}) {
  const [width, setWidth] = useState<Width>('desktop');
  return (
    <div className="mt-2 space-y-2" data-testid="email-preview" data-width={width}>
      <div role="group" aria-label="Preview width" className="inline-flex rounded-md bg-slate-200 p-0.5">
        {(Object.keys(WIDTHS) as Width[]).map((w) => (
          <button
            key={w}
            type="button"
            aria-pressed={width === w}
            onClick={() => setWidth(w)}
            className={cx(
              'rounded px-3 py-1 text-sm font-medium focus-visible:outline-2 focus-visible:outline-indigo-600',
              width === w ? 'bg-white text-slate-900 shadow-sm' : 'text-slate-700 hover:text-slate-900',
            )}
          >
            {WIDTHS[w].label}
          </button>
        ))}
      </div>
      {/* Scrolls sideways when the chosen width is wider than the screen; focusable, so keys scroll it too. */}
      <div
        className="overflow-x-auto"
        tabIndex={0}
        role="region"
        aria-label={`The e-mail at ${WIDTHS[width].label.toLowerCase()} width`}
      >
        <div
          className="rounded-lg border border-slate-200 bg-white"
          style={{ width: WIDTHS[width].px, maxWidth: 'none' }}
        >
          <div className="border-b border-slate-200 px-4 py-3" data-testid="email-envelope">
            <p className="truncate text-sm font-semibold text-slate-900" data-testid="email-subject">
              {subject || '(no subject)'}
            </p>
            {preheader && (
              <p className="truncate text-xs text-slate-600" data-testid="email-preheader">
                {preheader}
              </p>
            )}
          </div>
          <iframe
            title={`E-mail preview, ${WIDTHS[width].label.toLowerCase()} width`}
            sandbox=""
            srcDoc={previewDocument(html)}
            data-testid="message-preview"
            className="block h-[560px] w-full rounded-b-lg"
          />
        </div>
      </div>
    </div>
  );
}

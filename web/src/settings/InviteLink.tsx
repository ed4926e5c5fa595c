// A link shown once (an invitation's): selectable text, a Copy button, and what became of its e-mail.
import { useState } from 'react';

import { Button } from '@/components/Button';
import { cx } from '@/lib/cx';

import type { EmailOutcome } from './invitations';

const tones: Record<EmailOutcome['tone'], string> = {
  success: 'text-emerald-800',
  warning: 'text-amber-900',
  danger: 'text-red-800',
};

export function InviteLink({
  address,
  link,
  outcome,
  onDone,
}: {
  address: string;
  link: string;
  outcome: EmailOutcome;
  onDone: () => void;
}) {
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  const copy = () => {
    const clipboard = typeof navigator !== 'undefined' ? navigator.clipboard : undefined;
    if (!clipboard) {
      setCopied('no');
      return;
    }
    clipboard.writeText(link).then(
      () => setCopied('yes'),
      () => setCopied('no'),
    );
  };
  return (
    <section
      aria-labelledby="invite-link-title"
      data-testid="invite-link"
      className="space-y-2 rounded-md bg-slate-50 p-3 ring-1 ring-slate-200"
    >
      <h3 id="invite-link-title" className="text-sm font-semibold text-slate-900">
        Invitation link for <span className="break-words">{address}</span>
      </h3>
      <p className="text-xs text-slate-600">
        Shown only now. Inviting the address again makes a new link and retires this one.
      </p>
      <div className="flex flex-col gap-2 sm:flex-row">
        <label htmlFor="invite-link" className="sr-only">
          Invitation link
        </label>
        <input
          id="invite-link"
          readOnly
          value={link}
          className="block w-full min-w-0 flex-1 rounded-md bg-white px-3 py-2 font-mono text-xs text-slate-900 ring-1 ring-slate-300 ring-inset"
          onFocus={(e) => e.target.select()}
        />
        <Button variant="secondary" size="sm" className="sm:mt-0.5" onClick={copy}>
          {copied === 'yes' ? 'Copied' : 'Copy link'}
        </Button>
      </div>
      {copied === 'no' && (
        <p className="text-xs text-slate-700">The browser did not allow copying: select the link above and copy it.</p>
      )}
      <p role="status" className={cx('text-sm', tones[outcome.tone])}>
        {outcome.message}
      </p>
      <Button variant="ghost" size="sm" onClick={onDone}>
        Done
      </Button>
    </section>
  );
}

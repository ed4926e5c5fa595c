// Why a message of a campaign's log was skipped, held or failed, under its status.
import { logReason } from './consent';

export function LogReason({ status, error }: { status: string; error: string | null | undefined }) {
  const reason = logReason(status, error);
  if (!reason) return null;
  return (
    <p
      className={reason.consent ? 'mt-1 max-w-xs text-xs text-slate-700' : 'mt-1 max-w-xs text-xs text-red-700'}
      data-reason={error ?? undefined}
    >
      {reason.text}
    </p>
  );
}

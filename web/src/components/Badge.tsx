import type { ReactNode } from 'react';

import { cx } from '@/lib/cx';

export type Tone = 'neutral' | 'info' | 'success' | 'warning' | 'danger';

const tones: Record<Tone, string> = {
  neutral: 'bg-slate-100 text-slate-700 ring-slate-500/20',
  info: 'bg-indigo-50 text-indigo-700 ring-indigo-600/20',
  success: 'bg-emerald-50 text-emerald-800 ring-emerald-600/20',
  warning: 'bg-amber-50 text-amber-800 ring-amber-600/20',
  danger: 'bg-red-50 text-red-700 ring-red-600/20',
};

export function Badge({ tone = 'neutral', children }: { tone?: Tone; children: ReactNode }) {
  return (
    <span
      className={cx(
        'inline-flex items-center rounded-md px-2 py-0.5 text-xs font-medium ring-1 ring-inset whitespace-nowrap',
        tones[tone],
      )}
    >
      {children}
    </span>
  );
}

/** The tone of a campaign or message status. */
export function statusTone(status: string): Tone {
  switch (status.toLowerCase()) {
    case 'running':
    case 'pending':
      return 'info';
    case 'completed':
    case 'sent':
    case 'accepted':
      return 'success';
    case 'scheduled':
    case 'paused':
    case 'skipped':
      return 'warning';
    case 'failed':
    case 'cancelled':
    case 'expired':
      return 'danger';
    default:
      return 'neutral';
  }
}

export function StatusBadge({ status }: { status: string }) {
  const label = status.charAt(0).toUpperCase() + status.slice(1).toLowerCase();
  return <Badge tone={statusTone(status)}>{label}</Badge>;
}

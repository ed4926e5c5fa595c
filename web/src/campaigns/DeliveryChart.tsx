import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

import type { Schemas } from '@/api/client';
import { legendText } from '@/lib/chart';

type Point = Schemas['TimelinePointView'];

function clock(iso: string): string {
  return new Date(iso).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** Sent and failed messages per time bucket. */
export function DeliveryChart({ points, bucketSeconds }: { points: Point[]; bucketSeconds: number }) {
  const sent = points.reduce((n, p) => n + p.sent, 0);
  const failed = points.reduce((n, p) => n + p.failed, 0);
  return (
    <figure>
      <div className="h-56 overflow-hidden" aria-hidden>
        <ResponsiveContainer width="100%" height="100%">
          <BarChart accessibilityLayer={false} data={points} margin={{ top: 8, right: 8, left: -12, bottom: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" vertical={false} />
            <XAxis
              dataKey="bucket_start"
              tickFormatter={clock}
              tick={{ fontSize: 11, fill: '#475569' }}
              minTickGap={24}
            />
            <YAxis tick={{ fontSize: 11, fill: '#475569' }} allowDecimals={false} />
            <Tooltip itemStyle={{ color: '#334155' }} labelFormatter={(v) => clock(String(v))} />
            <Legend wrapperStyle={{ fontSize: 12 }} formatter={legendText} />
            {/* No animation: a poll every second would restart it before it ends, freezing bars mid-way. */}
            <Bar dataKey="sent" name="Sent" stackId="a" fill="#059669" isAnimationActive={false} />
            <Bar dataKey="failed" name="Failed" stackId="a" fill="#dc2626" isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </div>
      <figcaption className="mt-2 text-xs text-slate-600">
        <span data-testid="chart-sent">{sent.toLocaleString('en-US')}</span> sent and{' '}
        <span data-testid="chart-failed">{failed.toLocaleString('en-US')}</span> failed, in buckets of {bucketSeconds}{' '}
        s.
      </figcaption>
    </figure>
  );
}

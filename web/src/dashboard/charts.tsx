// Dashboard charts (recharts). Each chart also has a text summary for screen readers.
import {
  Area,
  AreaChart,
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';

import type { Schemas } from '@/api/client';
import { legendText } from '@/lib/chart';
import { formatDate } from '@/lib/format';

type Campaign = Schemas['CampaignView'];
type Day = Schemas['Dashboard']['ingestion'][number];

const COLORS = { audience: '#94a3b8', sent: '#059669', failed: '#dc2626', customers: '#4f46e5', orders: '#0891b2' };

export function CampaignsChart({ campaigns }: { campaigns: Campaign[] }) {
  // Oldest first, left to right.
  const data = [...campaigns].reverse().map((c) => ({
    name: c.name.length > 14 ? `${c.name.slice(0, 13)}…` : c.name,
    audience: c.stats.audience,
    sent: c.stats.sent,
    failed: c.stats.failed,
  }));
  const summary = campaigns
    .map((c) => `${c.name}: ${c.stats.audience} audience, ${c.stats.sent} sent, ${c.stats.failed} failed`)
    .join('; ');
  return (
    <figure>
      <div className="h-64 overflow-hidden" aria-hidden>
        <ResponsiveContainer width="100%" height="100%">
          <BarChart accessibilityLayer={false} data={data} margin={{ top: 8, right: 8, left: -12, bottom: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" vertical={false} />
            <XAxis
              dataKey="name"
              tick={{ fontSize: 11, fill: '#475569' }}
              interval={0}
              angle={-20}
              textAnchor="end"
              height={48}
            />
            <YAxis tick={{ fontSize: 11, fill: '#475569' }} allowDecimals={false} />
            <Tooltip itemStyle={{ color: '#334155' }} />
            <Legend wrapperStyle={{ fontSize: 12 }} formatter={legendText} />
            <Bar dataKey="audience" name="Audience" fill={COLORS.audience} radius={[3, 3, 0, 0]} />
            <Bar dataKey="sent" name="Sent" fill={COLORS.sent} radius={[3, 3, 0, 0]} />
            <Bar dataKey="failed" name="Failed" fill={COLORS.failed} radius={[3, 3, 0, 0]} />
          </BarChart>
        </ResponsiveContainer>
      </div>
      <figcaption className="sr-only">{summary}</figcaption>
    </figure>
  );
}

export function IngestionChart({ days }: { days: Day[] }) {
  const total = days.reduce((acc, d) => ({ customers: acc.customers + d.customers, orders: acc.orders + d.orders }), {
    customers: 0,
    orders: 0,
  });
  return (
    <figure>
      <div className="h-64 overflow-hidden" aria-hidden>
        <ResponsiveContainer width="100%" height="100%">
          <AreaChart accessibilityLayer={false} data={days} margin={{ top: 8, right: 8, left: -12, bottom: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" vertical={false} />
            <XAxis
              dataKey="date"
              tickFormatter={(d: string) => formatDate(d).replace(/ \d{4}$/, '')}
              tick={{ fontSize: 11, fill: '#475569' }}
              minTickGap={24}
            />
            <YAxis tick={{ fontSize: 11, fill: '#475569' }} allowDecimals={false} />
            <Tooltip itemStyle={{ color: '#334155' }} labelFormatter={(d) => formatDate(String(d))} />
            <Legend wrapperStyle={{ fontSize: 12 }} formatter={legendText} />
            <Area
              type="monotone"
              dataKey="customers"
              name="Customers"
              stroke={COLORS.customers}
              fill={COLORS.customers}
              fillOpacity={0.15}
            />
            <Area
              type="monotone"
              dataKey="orders"
              name="Orders"
              stroke={COLORS.orders}
              fill={COLORS.orders}
              fillOpacity={0.15}
            />
          </AreaChart>
        </ResponsiveContainer>
      </div>
      <figcaption className="mt-2 text-xs text-slate-600">
        {total.customers.toLocaleString('en-US')} customers and {total.orders.toLocaleString('en-US')} orders received
        in the last {days.length} days.
      </figcaption>
    </figure>
  );
}

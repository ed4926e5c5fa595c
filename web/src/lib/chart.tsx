// Chart helpers: legend labels in body text colour (series colours are too light for small text).
export function legendText(value: string) {
  return <span style={{ color: '#334155' }}>{value}</span>;
}

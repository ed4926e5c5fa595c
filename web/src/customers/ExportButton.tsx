// A button that downloads customers as CSV, saying why when the server refuses.
import { useMutation } from '@tanstack/react-query';

import { errorMessage } from '@/api/problem';
import { Button } from '@/components/Button';

import { downloadCustomers, type ExportSource } from './exportCustomers';

export function ExportCustomersButton({
  source,
  filename,
  label = 'Export CSV',
  srSuffix,
  disabled,
  size,
}: {
  source: ExportSource;
  filename: string;
  label?: string;
  /** Said to screen readers after the label, when it alone is ambiguous (one button per table row). */
  srSuffix?: string;
  disabled?: boolean;
  size?: 'sm' | 'md';
}) {
  const download = useMutation({ mutationFn: () => downloadCustomers(source, filename) });
  return (
    <span className="inline-flex flex-wrap items-center gap-2">
      <Button
        variant="secondary"
        size={size}
        busy={download.isPending}
        disabled={disabled}
        onClick={() => download.mutate()}
      >
        {label}
        {srSuffix && <span className="sr-only"> {srSuffix}</span>}
      </Button>
      {download.isError && (
        <span role="alert" className="text-sm text-red-700">
          Not exported: {errorMessage(download.error)}
        </span>
      )}
    </span>
  );
}

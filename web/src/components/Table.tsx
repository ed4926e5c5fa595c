import type { HTMLAttributes, TdHTMLAttributes, ThHTMLAttributes } from 'react';

import { cx } from '@/lib/cx';

/** A table that scrolls sideways inside its card on narrow screens instead of widening the page. */
export function Table({ className, label, ...rest }: HTMLAttributes<HTMLTableElement> & { label: string }) {
  return (
    <div className="relative overflow-x-auto" role="region" aria-label={label} tabIndex={0}>
      <table className={cx('min-w-full divide-y divide-slate-200 text-sm', className)} {...rest} />
    </div>
  );
}

export function Th({ className, ...rest }: ThHTMLAttributes<HTMLTableCellElement>) {
  return (
    <th
      scope="col"
      className={cx(
        'px-4 py-2.5 text-left text-xs font-semibold tracking-wide text-slate-600 uppercase whitespace-nowrap',
        className,
      )}
      {...rest}
    />
  );
}

export function Td({ className, ...rest }: TdHTMLAttributes<HTMLTableCellElement>) {
  return <td className={cx('px-4 py-3 text-slate-800 align-top', className)} {...rest} />;
}

export function Tr({ className, ...rest }: HTMLAttributes<HTMLTableRowElement>) {
  return <tr className={cx('hover:bg-slate-50', className)} {...rest} />;
}

import { Slot } from 'radix-ui';
import type { ButtonHTMLAttributes } from 'react';

import { cx } from '@/lib/cx';

type Variant = 'primary' | 'secondary' | 'ghost' | 'danger';
type Size = 'sm' | 'md';

const variants: Record<Variant, string> = {
  primary: 'bg-indigo-600 text-white hover:bg-indigo-700 shadow-sm disabled:bg-indigo-300',
  secondary:
    'bg-white text-slate-800 ring-1 ring-inset ring-slate-300 hover:bg-slate-50 shadow-sm disabled:text-slate-500',
  ghost: 'text-slate-700 hover:bg-slate-100 disabled:text-slate-500',
  danger: 'bg-red-600 text-white hover:bg-red-700 shadow-sm disabled:bg-red-300',
};
const sizes: Record<Size, string> = { sm: 'h-8 px-3 text-sm gap-1.5', md: 'h-10 px-4 text-sm gap-2' };

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: Variant;
  size?: Size;
  /** Render the child (a link) with the button's look. */
  asChild?: boolean;
  busy?: boolean;
}

export function buttonClass(variant: Variant = 'primary', size: Size = 'md', extra?: string): string {
  return cx(
    'inline-flex items-center justify-center rounded-md font-medium whitespace-nowrap transition-colors',
    'focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600 disabled:cursor-not-allowed',
    variants[variant],
    sizes[size],
    extra,
  );
}

export function Button({
  variant = 'primary',
  size = 'md',
  asChild,
  busy,
  className,
  children,
  disabled,
  type,
  ...rest
}: ButtonProps) {
  const Component = asChild ? Slot.Root : 'button';
  return (
    <Component
      className={buttonClass(variant, size, className)}
      disabled={asChild ? undefined : disabled || busy}
      aria-busy={busy || undefined}
      type={asChild ? undefined : (type ?? 'button')}
      {...rest}
    >
      {asChild ? (
        children
      ) : (
        <>
          {busy && (
            <span
              className="size-3.5 animate-spin rounded-full border-2 border-current border-r-transparent"
              aria-hidden
            />
          )}
          {children}
        </>
      )}
    </Component>
  );
}

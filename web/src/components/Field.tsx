// Labelled form controls. Each gets an id, a visible label, an optional hint, and the server's message for
// it (aria-invalid + aria-describedby), so errors sit next to the field they name.
import { useId, type ComponentProps, type ReactNode } from 'react';

import { cx } from '@/lib/cx';

export const inputClass =
  'block w-full rounded-md border-0 bg-white px-3 py-2 text-sm text-slate-900 shadow-sm ring-1 ring-inset ring-slate-300 ' +
  'placeholder:text-slate-500 focus:ring-2 focus:ring-inset focus:ring-indigo-600 focus:outline-none ' +
  'disabled:bg-slate-50 disabled:text-slate-500 aria-[invalid=true]:ring-red-500';

interface FieldShellProps {
  label: ReactNode;
  hint?: ReactNode;
  errors?: string[] | undefined;
  className?: string;
  children: (ids: { id: string; describedBy: string | undefined; invalid: boolean }) => ReactNode;
  /** Visually hide the label (it stays for screen readers). */
  hideLabel?: boolean;
}

export function FieldShell({ label, hint, errors, className, children, hideLabel }: FieldShellProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = errors && errors.length > 0 ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={className}>
      <label htmlFor={id} className={cx('mb-1 block text-sm font-medium text-slate-800', hideLabel && 'sr-only')}>
        {label}
      </label>
      {children({ id, describedBy, invalid: Boolean(errorId) })}
      {hint && (
        <p id={hintId} className="mt-1 text-xs text-slate-600">
          {hint}
        </p>
      )}
      {errorId && (
        <p id={errorId} className="mt-1 text-xs font-medium text-red-700">
          {errors!.join('; ')}
        </p>
      )}
    </div>
  );
}

type Common = {
  label: ReactNode;
  hint?: ReactNode;
  errors?: string[] | undefined;
  fieldClassName?: string;
  hideLabel?: boolean;
};

export function TextField({
  label,
  hint,
  errors,
  fieldClassName,
  hideLabel,
  className,
  ...input
}: Common & ComponentProps<'input'>) {
  return (
    <FieldShell label={label} hint={hint} errors={errors} className={fieldClassName} hideLabel={hideLabel}>
      {({ id, describedBy, invalid }) => (
        <input
          id={id}
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
          className={cx(inputClass, className)}
          {...input}
        />
      )}
    </FieldShell>
  );
}

export function TextAreaField({
  label,
  hint,
  errors,
  fieldClassName,
  hideLabel,
  className,
  ...input
}: Common & ComponentProps<'textarea'>) {
  return (
    <FieldShell label={label} hint={hint} errors={errors} className={fieldClassName} hideLabel={hideLabel}>
      {({ id, describedBy, invalid }) => (
        <textarea
          id={id}
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
          className={cx(inputClass, 'min-h-24', className)}
          {...input}
        />
      )}
    </FieldShell>
  );
}

export function SelectField({
  label,
  hint,
  errors,
  fieldClassName,
  hideLabel,
  className,
  children,
  ...input
}: Common & ComponentProps<'select'>) {
  return (
    <FieldShell label={label} hint={hint} errors={errors} className={fieldClassName} hideLabel={hideLabel}>
      {({ id, describedBy, invalid }) => (
        <select
          id={id}
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
          className={cx(inputClass, 'pr-8', className)}
          {...input}
        >
          {children}
        </select>
      )}
    </FieldShell>
  );
}

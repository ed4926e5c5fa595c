// The value input of one condition, chosen by the catalogue: the operator's input shape (one value, a pair,
// a list, a number of days, none) and the field's type (money, integer, number, date, text, enum, boolean).
import type { ValueEditorProps } from 'react-querybuilder';

import { cx } from '@/lib/cx';

import type { BuilderContext } from './builderContext';
import { findOperator, type BuilderField, type FieldView } from './fields';

const input =
  'h-9 rounded-md border-0 bg-white px-2.5 text-sm text-slate-900 shadow-sm ring-1 ring-inset ring-slate-300 ' +
  'focus:ring-2 focus:ring-indigo-600 focus:outline-none aria-[invalid=true]:ring-red-500';

function asArray(value: unknown, length?: number): string[] {
  const list = Array.isArray(value)
    ? value.map((v) => (v === null || v === undefined ? '' : String(v)))
    : typeof value === 'string' && value !== ''
      ? value.split(',').map((v) => v.trim())
      : [];
  if (length !== undefined) while (list.length < length) list.push('');
  return list;
}

function Scalar({
  field,
  value,
  onChange,
  label,
  invalid,
  currency,
}: {
  field: FieldView;
  value: string;
  onChange: (v: string) => void;
  label: string;
  invalid: boolean;
  currency?: string;
}) {
  const common = {
    'aria-label': label,
    'aria-invalid': invalid || undefined,
    value,
    onChange: (e: { target: { value: string } }) => onChange(e.target.value),
  };
  switch (field.type) {
    case 'enum':
      return (
        <select className={cx(input, 'pr-8')} {...common}>
          <option value="">Choose…</option>
          {field.values?.map((v) => (
            <option key={v} value={v}>
              {v}
            </option>
          ))}
        </select>
      );
    case 'boolean':
      return (
        <select className={cx(input, 'pr-8')} {...common}>
          <option value="">Choose…</option>
          <option value="true">Yes</option>
          <option value="false">No</option>
        </select>
      );
    case 'date':
      return <input type="date" className={input} {...common} />;
    case 'money':
      return (
        <span className="relative inline-flex items-center">
          {currency && (
            <span className="pointer-events-none absolute left-2.5 text-xs text-slate-600" aria-hidden>
              {currency}
            </span>
          )}
          <input
            type="number"
            inputMode="decimal"
            step="0.01"
            className={cx(input, 'w-36', currency && 'pl-11')}
            {...common}
          />
        </span>
      );
    case 'integer':
      return <input type="number" inputMode="numeric" step="1" className={cx(input, 'w-28')} {...common} />;
    case 'number':
      return <input type="number" inputMode="decimal" step="any" className={cx(input, 'w-28')} {...common} />;
    default:
      return <input type="text" className={cx(input, 'w-48')} {...common} />;
  }
}

export function ConditionValueEditor(props: ValueEditorProps) {
  const field = (props.fieldData as BuilderField).catalogue;
  const context = props.context as BuilderContext | undefined;
  const op = findOperator(field, props.operator);
  if (!field || !op || op.input === 'none') return null;
  const invalid = Boolean(context?.errors.get(props.path.join('.'))?.some((e) => e.part === 'value'));
  const currency = context?.currency;
  const name = field.label;

  if (op.input === 'days') {
    return (
      <span className="inline-flex items-center gap-2">
        <input
          type="number"
          min={0}
          step={1}
          inputMode="numeric"
          className={cx(input, 'w-24')}
          aria-label={`${name}: number of days`}
          aria-invalid={invalid || undefined}
          value={props.value ?? ''}
          onChange={(e) => props.handleOnChange(e.target.value)}
        />
        <span className="text-sm text-slate-600">days</span>
      </span>
    );
  }
  if (op.input === 'pair') {
    const [from, to] = asArray(props.value, 2);
    return (
      <span className="inline-flex flex-wrap items-center gap-2">
        <Scalar
          field={field}
          currency={currency}
          invalid={invalid}
          label={`${name}: from`}
          value={from!}
          onChange={(v) => props.handleOnChange([v, to])}
        />
        <span className="text-sm text-slate-600">and</span>
        <Scalar
          field={field}
          currency={currency}
          invalid={invalid}
          label={`${name}: to`}
          value={to!}
          onChange={(v) => props.handleOnChange([from, v])}
        />
      </span>
    );
  }
  if (op.input === 'list') {
    const chosen = asArray(props.value).filter(Boolean);
    if (field.type === 'enum' && field.values) {
      return (
        <fieldset className="inline-flex flex-wrap items-center gap-1.5" aria-invalid={invalid || undefined}>
          <legend className="sr-only">{`${name}: values`}</legend>
          {field.values.map((v) => {
            const on = chosen.includes(v);
            return (
              <label
                key={v}
                className={cx(
                  'inline-flex cursor-pointer items-center gap-1.5 rounded-full px-2.5 py-1 text-xs ring-1 ring-inset',
                  on ? 'bg-indigo-50 text-indigo-800 ring-indigo-300' : 'bg-white text-slate-700 ring-slate-300',
                )}
              >
                <input
                  type="checkbox"
                  className="size-3.5 accent-indigo-600"
                  checked={on}
                  onChange={() => props.handleOnChange(on ? chosen.filter((c) => c !== v) : [...chosen, v])}
                />
                {v}
              </label>
            );
          })}
        </fieldset>
      );
    }
    return (
      <input
        type="text"
        className={cx(input, 'w-56')}
        aria-label={`${name}: values, separated by commas`}
        placeholder="a, b, c"
        aria-invalid={invalid || undefined}
        value={Array.isArray(props.value) ? props.value.join(', ') : (props.value ?? '')}
        onChange={(e) => props.handleOnChange(e.target.value)}
      />
    );
  }
  return (
    <Scalar
      field={field}
      currency={currency}
      invalid={invalid}
      label={`${name}: value`}
      value={props.value === null || props.value === undefined ? '' : String(props.value)}
      onChange={(v) => props.handleOnChange(v)}
    />
  );
}

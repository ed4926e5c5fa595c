import { cx } from '@/lib/cx';

/** One of a few exclusive options, drawn as a pill (a radio button inside its label). */
export function Choice({
  name,
  value,
  checked,
  onChange,
  label,
}: {
  name: string;
  value: string;
  checked: boolean;
  onChange: () => void;
  label: string;
}) {
  return (
    <label
      className={cx(
        'flex cursor-pointer items-center gap-2 rounded-md px-3 py-2 text-sm ring-1 ring-inset',
        checked ? 'bg-indigo-50 text-indigo-900 ring-indigo-300' : 'bg-white text-slate-700 ring-slate-300',
      )}
    >
      <input
        type="radio"
        className="accent-indigo-600"
        name={name}
        value={value}
        checked={checked}
        onChange={onChange}
      />
      {label}
    </label>
  );
}

// react-querybuilder's selects (field, operator, AND/OR) with an accessible name: the default ones carry only
// a `title`, which axe rightly counts as no label.
import type { ShiftActionsProps, ValueSelectorProps } from 'react-querybuilder';

interface Opt {
  name?: string;
  value?: string;
  label: string;
  disabled?: boolean;
}
interface Group {
  label: string;
  options: Opt[];
}

function option(o: Opt) {
  const value = o.value ?? o.name ?? '';
  return (
    <option key={value} value={value} disabled={o.disabled}>
      {o.label}
    </option>
  );
}

export function LabelledSelector(props: ValueSelectorProps) {
  const options = props.options as ReadonlyArray<Opt | Group>;
  return (
    <select
      className={props.className}
      title={props.title}
      aria-label={props.title}
      value={props.value ?? ''}
      disabled={props.disabled}
      data-testid={props.testID}
      onChange={(e) => props.handleOnChange(e.target.value)}
    >
      {options.map((o) =>
        'options' in o ? (
          <optgroup key={o.label} label={o.label}>
            {o.options.map(option)}
          </optgroup>
        ) : (
          option(o)
        ),
      )}
    </select>
  );
}

/** Move up / move down, named for screen readers (the default buttons are named by their arrow glyphs). */
export function ShiftButtons(props: ShiftActionsProps) {
  const what = 'rules' in props.ruleOrGroup ? 'group' : 'condition';
  return (
    <div className={props.className} data-testid={props.testID}>
      <button
        type="button"
        aria-label={`Move this ${what} up`}
        title={`Move this ${what} up`}
        disabled={props.disabled || props.shiftUpDisabled}
        onClick={(e) => props.shiftUp(e)}
      >
        ↑
      </button>
      <button
        type="button"
        aria-label={`Move this ${what} down`}
        title={`Move this ${what} down`}
        disabled={props.disabled || props.shiftDownDisabled}
        onClick={(e) => props.shiftDown(e)}
      >
        ↓
      </button>
    </div>
  );
}

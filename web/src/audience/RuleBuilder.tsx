// The rule builder: react-querybuilder rendered from the server's catalogue, with drag to reorder (and
// shift buttons for keyboards), `not` on groups, and the server's messages under the condition they name.
import { QueryBuilderDnD } from '@react-querybuilder/dnd';
import * as ReactDnD from 'react-dnd';
import * as ReactDndHtml5Backend from 'react-dnd-html5-backend';
import { QueryBuilder, Rule, type RuleGroupType, type RuleProps, type RuleType } from 'react-querybuilder';
import 'react-querybuilder/dist/query-builder.css';
import { useMemo } from 'react';

import './builder.css';
import type { BuilderContext } from './builderContext';
import { emptyValue, findField, findOperator, toBuilderFields, type SegmentFields } from './fields';
import { LabelledSelector, ShiftButtons } from './Selector';
import { ConditionValueEditor } from './ValueEditor';

const dnd = { ...ReactDnD, ...ReactDndHtml5Backend };

const PART_NAMES: Record<string, string> = { field: 'Field', operator: 'Operator', value: 'Value' };

function ConditionWithErrors(props: RuleProps) {
  const context = props.context as BuilderContext;
  const key = props.path.join('.');
  const errors = context.errors.get(key) ?? [];
  const incomplete = context.incomplete.has(key);
  return (
    <div className="rule-wrapper" data-path={key} data-invalid={errors.length > 0 || undefined}>
      <Rule {...props} />
      {errors.length > 0 && (
        <ul className="rule-errors" role="alert">
          {errors.map((e, i) => (
            <li key={i}>
              {e.part && PART_NAMES[e.part] ? `${PART_NAMES[e.part]}: ` : ''}
              {e.message}
            </li>
          ))}
        </ul>
      )}
      {errors.length === 0 && incomplete && <p className="rule-hint">Enter a value to count this condition.</p>}
    </div>
  );
}

export function RuleBuilder({
  catalogue,
  query,
  onQueryChange,
  context,
}: {
  catalogue: SegmentFields;
  query: RuleGroupType;
  onQueryChange: (q: RuleGroupType) => void;
  context: BuilderContext;
}) {
  const fields = useMemo(() => toBuilderFields(catalogue), [catalogue]);
  const combinators = useMemo(
    () => catalogue.combinators.map((c) => ({ name: c, label: c.toUpperCase() })),
    [catalogue],
  );
  return (
    <div className="converge-builder">
      {/* The custom condition goes to QueryBuilderDnD, which wraps it with drag and drop; given to
          QueryBuilder itself it would replace the wrapper. */}
      <QueryBuilderDnD dnd={dnd} controlElements={{ rule: ConditionWithErrors }}>
        <QueryBuilder
          fields={fields}
          combinators={combinators}
          query={query}
          onQueryChange={onQueryChange}
          context={context}
          showNotToggle
          showShiftActions
          enableDragAndDrop
          resetOnFieldChange
          resetOnOperatorChange
          addRuleToNewGroups
          maxLevels={catalogue.max_depth}
          getDefaultValue={(rule: RuleType) =>
            emptyValue(findOperator(findField(catalogue, rule.field), rule.operator)?.input)
          }
          controlElements={{
            valueEditor: ConditionValueEditor,
            fieldSelector: LabelledSelector,
            operatorSelector: LabelledSelector,
            combinatorSelector: LabelledSelector,
            shiftActions: ShiftButtons,
          }}
          translations={{
            addRule: { label: '+ Condition', title: 'Add a condition' },
            addGroup: { label: '+ Group', title: 'Add a group of conditions' },
            removeRule: { label: 'Remove', title: 'Remove this condition' },
            removeGroup: { label: 'Remove group', title: 'Remove this group' },
            notToggle: { label: 'Not', title: 'Negate this group' },
            fields: { title: 'Field' },
            operators: { title: 'Operator' },
            combinators: { title: 'Match' },
            dragHandle: { label: '⋮⋮', title: 'Drag to reorder' },
          }}
        />
      </QueryBuilderDnD>
    </div>
  );
}

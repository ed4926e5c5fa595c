// Where the server's rule errors belong. A 422 names JSON paths like `rule.rules[1].rules[0].value`; the
// builder numbers rules by the same indexes (react-querybuilder's `path`), so `[1, 0]` is that condition.

export interface RuleErrorLocation {
  /** Indexes from the root group down: [] is the root group itself. */
  path: number[];
  /** What inside the condition or group: `value`, `field`, `operator`, `combinator`, … or null for the whole. */
  part: string | null;
}

/** Parses `rule`, `rule.rules[2]`, `rule.rules[1].rules[0].value`; null for paths outside the rule. */
export function parseRulePath(field: string, prefix = 'rule'): RuleErrorLocation | null {
  if (field !== prefix && !field.startsWith(`${prefix}.`)) return null;
  let rest = field.slice(prefix.length);
  const path: number[] = [];
  for (;;) {
    const step = /^\.rules\[(\d+)\]/.exec(rest);
    if (!step) break;
    path.push(Number(step[1]));
    rest = rest.slice(step[0].length);
  }
  if (rest === '') return { path, part: null };
  const part = /^\.([A-Za-z_]+)/.exec(rest);
  return { path, part: part ? part[1]! : rest.replace(/^\./, '') };
}

export function pathKey(path: readonly number[]): string {
  return path.join('.');
}

export interface LocatedError {
  part: string | null;
  message: string;
}

/** The rule errors of a problem, grouped by the condition or group they name (`pathKey`). */
export function groupRuleErrors(
  errors: ReadonlyArray<{ field: string; message: string }>,
  prefix = 'rule',
): Map<string, LocatedError[]> {
  const byPath = new Map<string, LocatedError[]>();
  for (const error of errors) {
    const at = parseRulePath(error.field, prefix);
    if (!at) continue;
    const key = pathKey(at.path);
    const list = byPath.get(key) ?? [];
    list.push({ part: at.part, message: error.message });
    byPath.set(key, list);
  }
  return byPath;
}

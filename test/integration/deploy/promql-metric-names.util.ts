/**
 * The metric names one PromQL expression selects, found by a small lexer rather than a prefix match,
 * so a misspelt name (`flotila_…`) or a name nobody exports is caught too. Label matchers (`{…}`),
 * string literals, ranges (`[5m]`), grouping label lists (`by (…)`, `on (…)`, …), numbers, keywords
 * and function names are not metric names; everything else is.
 */
export function promqlMetricNames(expression: string): string[] {
  let text = expression
    // Strings first: a label value may hold any character, braces included.
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^{}]*\}/g, ' ')
    .replace(/\[[^\][]*\]/g, ' ');
  // Label lists after grouping and matching modifiers name labels, not metrics.
  text = text.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)/g, ' ');
  const names = new Set<string>();
  for (const match of text.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const word = match[0];
    const after = text.slice(match.index + word.length).trimStart();
    if (after.startsWith('(')) continue; // a function call or aggregation
    if (KEYWORDS.has(word.toLowerCase())) continue;
    // Inside numbers such as 1e-9 or 0x1f the lexer sees a letter run; skip those.
    const before = text.slice(0, match.index);
    if (/[0-9.]$/.test(before)) continue;
    names.add(word);
  }
  return [...names];
}

const KEYWORDS = new Set([
  'and', 'or', 'unless', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'bool', 'atan2', 'inf', 'nan',
]);

/** The selector inside a Grafana `label_values(selector, label)` variable query; the query itself otherwise. */
export function grafanaVariableExpression(query: string): string {
  const match = /^\s*label_values\(\s*(.*),\s*[A-Za-z_][A-Za-z0-9_]*\s*\)\s*$/s.exec(query);
  return match ? match[1]! : query;
}

/** The label names one PromQL expression relies on: per selector, and in grouping/matching lists. */
export interface PromqlLabelUses {
  /** `metric{label=…, …}`: the labels each selector matches on. */
  readonly selectors: readonly { readonly metric: string; readonly labels: readonly string[] }[];
  /** Labels named in `by`, `without`, `on`, `ignoring`, `group_left`, `group_right`. */
  readonly grouping: readonly string[];
}

export function promqlLabelUses(expression: string): PromqlLabelUses {
  const selectors: { metric: string; labels: string[] }[] = [];
  for (const match of expression.matchAll(/([A-Za-z_:][A-Za-z0-9_:]*)\s*\{((?:[^{}"]|"(?:[^"\\]|\\.)*")*)\}/g)) {
    const labels = [...match[2]!.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*(?:=~|!~|!=|=)\s*"/g)].map((m) => m[1]!);
    selectors.push({ metric: match[1]!, labels });
  }
  const grouping = [...expression.matchAll(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^()]*)\)/g)].flatMap((m) =>
    m[1]!.split(',').map((label) => label.trim()).filter(Boolean),
  );
  return { selectors, grouping };
}

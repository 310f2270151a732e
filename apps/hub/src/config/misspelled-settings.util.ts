/**
 * FLOTILLA_* variables that are not hub settings but are a letter or two away from one: a typo
 * that would otherwise be ignored silently, leaving the default in force. Variables of other
 * components (the agent's, the CLI's) are far from every hub setting and are not reported.
 */
export function misspelledSettings(env: NodeJS.ProcessEnv, known: readonly string[]): string[] {
  const settings = new Set(known);
  const warnings: string[] = [];
  for (const name of Object.keys(env).sort()) {
    if (!name.startsWith('FLOTILLA_') || settings.has(name)) continue;
    const close = known.filter((setting) => editDistance(name, setting, 2) <= 2);
    if (close.length > 0) warnings.push(`${name} is not a hub setting and is ignored; did you mean ${close.join(' or ')}?`);
  }
  return warnings;
}

/** Levenshtein distance with adjacent transpositions, giving up (returning limit + 1) beyond limit. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i += 1) {
    const row = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(rows[i - 1]![j]! + 1, row[j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, rows[i - 2]![j - 2]! + 1);
      row.push(value);
    }
    if (Math.min(...row) > limit) return limit + 1;
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}

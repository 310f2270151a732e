import type { LabelSelector } from '@flotilla/render';

/** A SQL condition and its parameters, numbered from the offset it was built for. */
export interface SqlCondition {
  readonly sql: string;
  readonly params: unknown[];
}

/**
 * Translates a validated Kubernetes label selector into a condition over a jsonb labels column, so the
 * database filters (and the GIN indexes serve the positive terms) instead of the hub loading every cluster:
 * matchLabels and In become containment (`@>`, jsonb_path_ops index), Exists becomes key existence (`?`,
 * jsonb_ops index); NotIn and DoesNotExist are their negations, true where the key is absent, as in Kubernetes.
 * Every value travels as a parameter; nothing from the selector is spliced into the SQL text.
 */
export function labelSelectorSql(selector: LabelSelector, column: string, firstParam: number): SqlCondition {
  const terms: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown, cast: string): string => {
    params.push(value);
    return `$${firstParam + params.length - 1}::${cast}`;
  };
  const contains = (key: string, value: string): string => `${column} @> ${param(JSON.stringify({ [key]: value }), 'jsonb')}`;

  const matchLabels = Object.entries(selector.matchLabels ?? {});
  if (matchLabels.length > 0) terms.push(`${column} @> ${param(JSON.stringify(Object.fromEntries(matchLabels)), 'jsonb')}`);
  for (const requirement of selector.matchExpressions ?? []) {
    const values = [...new Set(requirement.values ?? [])];
    const anyOf = (): string => `(${values.map((value) => contains(requirement.key, value)).join(' OR ')})`;
    switch (requirement.operator) {
      case 'In':
        terms.push(anyOf());
        break;
      case 'NotIn':
        terms.push(`NOT ${anyOf()}`);
        break;
      case 'Exists':
        terms.push(`${column} ? ${param(requirement.key, 'text')}`);
        break;
      case 'DoesNotExist':
        terms.push(`NOT (${column} ? ${param(requirement.key, 'text')})`);
        break;
    }
  }
  return { sql: terms.length > 0 ? terms.join(' AND ') : 'true', params };
}

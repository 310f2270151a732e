import { badRequest } from './api-status.error.js';

/** One parsed requirement of a label selector. */
export interface LabelRequirement {
  readonly key: string;
  readonly operator: 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';
  readonly values: readonly string[];
}

/** A parsed label selector: every requirement must hold (an empty selector matches everything). */
export interface LabelSelector {
  readonly requirements: readonly LabelRequirement[];
}

const KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function checkKey(key: string, raw: string): void {
  if (!KEY.test(key) || key.split('/').pop()!.length > 63) throw badRequest(`unable to parse requirement: invalid label key "${key}" in selector "${raw}"`);
}

function checkValue(value: string, raw: string): void {
  if (value.length > 63 || !VALUE.test(value)) throw badRequest(`unable to parse requirement: invalid label value: "${value}" in selector "${raw}"`);
}

/** Splits on commas that are not inside `( … )`. */
function splitTerms(raw: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of raw) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(current);
      current = '';
    } else current += ch;
  }
  out.push(current);
  return out.map((t) => t.trim());
}

/**
 * Parses the `labelSelector` query syntax with upstream semantics: `k=v`, `k==v`, `k!=v`,
 * `k in (a,b)`, `k notin (a)`, `k`, `!k`, `k>1`, `k<1`. `!=` and `notin` also match objects
 * without the label. Malformed input is a 400 BadRequest, as from the real server.
 */
export function parseLabelSelector(raw: string | undefined): LabelSelector {
  if (!raw || raw.trim() === '') return { requirements: [] };
  const requirements: LabelRequirement[] = [];
  for (const term of splitTerms(raw)) {
    if (term === '') throw badRequest(`unable to parse requirement: found '', expected: identifier in selector "${raw}"`);
    const set = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term);
    if (set) {
      const values = set[3]!.split(',').map((v) => v.trim());
      checkKey(set[1]!, raw);
      values.forEach((v) => checkValue(v, raw));
      requirements.push({ key: set[1]!, operator: set[2] as 'in' | 'notin', values });
      continue;
    }
    const cmp = /^([^=!<>\s]+)\s*(==|=|!=|>|<)\s*([^=!<>\s]*)$/.exec(term);
    if (cmp) {
      const [, key, op, value] = cmp as unknown as [string, string, string, string];
      checkKey(key, raw);
      if (op === '>' || op === '<') {
        if (!/^-?\d+$/.test(value)) throw badRequest(`unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer in selector "${raw}"`);
        requirements.push({ key, operator: op === '>' ? 'gt' : 'lt', values: [value] });
        continue;
      }
      checkValue(value, raw);
      requirements.push({ key, operator: op === '!=' ? 'notin' : 'in', values: [value] });
      continue;
    }
    const exists = /^(!?)\s*([^=!<>\s()]+)$/.exec(term);
    if (exists) {
      checkKey(exists[2]!, raw);
      requirements.push({ key: exists[2]!, operator: exists[1] ? '!' : 'exists', values: [] });
      continue;
    }
    throw badRequest(`unable to parse requirement: invalid selector term "${term}" in selector "${raw}"`);
  }
  return { requirements };
}

export function matchesLabels(selector: LabelSelector, labels: Readonly<Record<string, unknown>> | undefined): boolean {
  const have = labels ?? {};
  return selector.requirements.every((r) => {
    const present = Object.prototype.hasOwnProperty.call(have, r.key);
    const value = present ? String(have[r.key]) : undefined;
    switch (r.operator) {
      case 'in':
        return present && r.values.includes(value!);
      case 'notin':
        return !present || !r.values.includes(value!);
      case 'exists':
        return present;
      case '!':
        return !present;
      case 'gt':
        return present && /^-?\d+$/.test(value!) && Number(value) > Number(r.values[0]);
      case 'lt':
        return present && /^-?\d+$/.test(value!) && Number(value) < Number(r.values[0]);
    }
  });
}

/** A `metav1.LabelSelector` object (matchLabels / matchExpressions) as a parsed selector. */
export function labelSelectorFromObject(selector: {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}): LabelSelector {
  const requirements: LabelRequirement[] = Object.entries(selector.matchLabels ?? {}).map(([key, v]) => ({ key, operator: 'in', values: [v] }));
  for (const e of selector.matchExpressions ?? []) {
    const operator = ({ In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' } as const)[e.operator as 'In'];
    if (!operator) throw badRequest(`"${e.operator}" is not a valid label selector operator`);
    requirements.push({ key: e.key, operator, values: e.values ?? [] });
  }
  return { requirements };
}

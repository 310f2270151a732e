import { badRequest } from './api-status.error.js';

/** A parsed field selector over `metadata.name` / `metadata.namespace` (the fields every resource supports). */
export interface FieldSelector {
  readonly terms: readonly { readonly field: 'metadata.name' | 'metadata.namespace'; readonly equal: boolean; readonly value: string }[];
}

const SUPPORTED = new Set(['metadata.name', 'metadata.namespace']);

/** Parses `a=b,c!=d`; unsupported fields get upstream's 400 `field label not supported: <field>`. */
export function parseFieldSelector(raw: string | undefined): FieldSelector {
  if (!raw || raw.trim() === '') return { terms: [] };
  const terms = raw.split(',').map((term) => {
    const m = /^\s*([^=!\s]+)\s*(==|=|!=)\s*(\S*)\s*$/.exec(term);
    if (!m) throw badRequest(`invalid selector: '${raw}'; can't understand '${term}'`);
    if (!SUPPORTED.has(m[1]!)) throw badRequest(`field label not supported: ${m[1]}`);
    return { field: m[1] as 'metadata.name', equal: m[2] !== '!=', value: m[3]! };
  });
  return { terms };
}

export function matchesFields(selector: FieldSelector, name: string, namespace: string | undefined): boolean {
  return selector.terms.every((t) => {
    const actual = t.field === 'metadata.name' ? name : namespace ?? '';
    return (actual === t.value) === t.equal;
  });
}

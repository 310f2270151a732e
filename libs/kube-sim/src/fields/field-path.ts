/**
 * A path element in its FieldsV1 spelling: `f:<field>`, `k:<json of the key fields, sorted>`,
 * `v:<json value>` (set item) or `i:<index>`. Using the wire spelling keeps sets cheap to compare
 * and serialise; `formatPath` renders the upstream human form (`.spec.containers[name="web"].image`).
 */
export type PathElement = string;

/** A path from the object root; the empty path is the object itself. */
export type FieldPath = readonly PathElement[];

export function fieldElement(name: string): PathElement {
  return `f:${name}`;
}

/** The key element of a map-list item: key fields sorted by name, JSON-encoded as upstream does. */
export function keyElement(item: Readonly<Record<string, unknown>>, keys: readonly string[]): PathElement {
  const sorted = [...keys].sort();
  const parts = sorted.filter((k) => item[k] !== undefined).map((k) => `${JSON.stringify(k)}:${JSON.stringify(item[k])}`);
  return `k:{${parts.join(',')}}`;
}

export function valueElement(value: unknown): PathElement {
  return `v:${JSON.stringify(value)}`;
}

export function indexElement(index: number): PathElement {
  return `i:${index}`;
}

/** Upstream's `Path.String()`: `.field`, `[k1=v1,k2="v2"]`, `[=value]`, `[3]`. */
export function formatPath(path: FieldPath): string {
  return path.map(formatElement).join('');
}

function formatElement(pe: PathElement): string {
  const body = pe.slice(2);
  switch (pe[0]) {
    case 'f':
      return `.${body}`;
    case 'k': {
      const key = JSON.parse(body) as Record<string, unknown>;
      return `[${Object.entries(key)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(',')}]`;
    }
    case 'v':
      return `[=${body}]`;
    default:
      return `[${body}]`;
  }
}

/** Upstream's ordering of path elements within one node: fields, then keys, then values, then indexes. */
export function comparePathElements(a: PathElement, b: PathElement): number {
  const order = 'fkvi';
  const ka = order.indexOf(a[0]!);
  const kb = order.indexOf(b[0]!);
  if (ka !== kb) return ka - kb;
  if (a[0] === 'i') return Number(a.slice(2)) - Number(b.slice(2));
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A resource request path, split: `/apis/{group}/{version}[/namespaces/{ns}]/{plural}[/{name}[/{sub}]]`. */
export interface ResourceRoute {
  readonly group: string;
  readonly version: string;
  readonly namespace?: string;
  readonly plural: string;
  readonly name?: string;
  readonly subresource?: string;
}

const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

/**
 * Parses the resource part of a path after `/api/v1` or `/apis/{g}/{v}`. `namespaces/{x}` alone is
 * the Namespace `x`; `namespaces/{x}/status|finalize` its subresource; otherwise `namespaces/{x}/…`
 * scopes a namespaced resource. Returns undefined for paths that are not resource paths.
 */
export function parseResourceRoute(group: string, version: string, segments: readonly string[]): ResourceRoute | undefined {
  if (segments.length === 0 || segments.some((s) => s === '')) return undefined;
  let rest = segments;
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3 && !(rest.length === 3 && NAMESPACE_SUBRESOURCES.has(rest[2]!))) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  if (rest.length > 3) return undefined;
  const [plural, name, subresource] = rest as [string, string?, string?];
  return { group, version, namespace, plural, name, subresource };
}

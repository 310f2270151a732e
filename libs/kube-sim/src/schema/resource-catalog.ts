import { BUILTIN_CATEGORIES, BUILTIN_SHORT_NAMES } from './builtin-resource-hints.data.js';
import { loadOpenApiV2, type GroupVersionKind, type OpenApiV2Document } from './openapi-document.loader.js';
import { apiVersionOf, resourceKey, type ResourceType, type SubresourceType } from './resource-type.js';
import { TypeResolver } from './type-resolver.js';

const VERB_ORDER = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const ACTION_TO_VERB: Readonly<Record<string, string>> = {
  get: 'get',
  list: 'list',
  post: 'create',
  put: 'update',
  patch: 'patch',
  delete: 'delete',
  deletecollection: 'deletecollection',
};

/** Alpha and beta versions are off by default on a real v1.35 server, so they are not served. */
function isDefaultEnabled(version: string): boolean {
  return !/alpha|beta/.test(version);
}

interface Draft {
  group: string;
  version: string;
  plural: string;
  namespaced: boolean;
  kind?: GroupVersionKind;
  verbs: Set<string>;
  subresources: Map<string, { kind?: GroupVersionKind; verbs: Set<string> }>;
}

/** Splits an OpenAPI path into group, version, scope, plural and subresource, or undefined for non-resource paths. */
function parsePath(path: string):
  | { group: string; version: string; namespaced: boolean; plural: string; named: boolean; sub?: string }
  | undefined {
  const core = /^\/api\/(v1)\/(.*)$/.exec(path);
  const named = /^\/apis\/([^/]+)\/([^/]+)\/(.*)$/.exec(path);
  const [group, version, rest] = core ? ['', core[1]!, core[2]!] : named ? [named[1]!, named[2]!, named[3]!] : [];
  if (version === undefined || rest === undefined || rest === '' || rest.startsWith('watch/')) return undefined;
  let segments = rest.split('/');
  let namespaced = false;
  if (segments[0] === 'namespaces' && segments[1] === '{namespace}' && segments.length > 2) {
    namespaced = true;
    segments = segments.slice(2);
  }
  if (segments.length > 3 || segments.some((s, i) => i !== 1 && s.startsWith('{'))) return undefined;
  return { group: group!, version, namespaced, plural: segments[0]!, named: segments.length > 1, sub: segments[2] };
}

function sortVerbs(verbs: Iterable<string>): string[] {
  return [...verbs].sort((a, b) => VERB_ORDER.indexOf(a) - VERB_ORDER.indexOf(b));
}

/** Derives every built-in resource of the vendored schema (default-enabled versions only). */
function builtinResourceDrafts(doc: OpenApiV2Document): Draft[] {
  const drafts = new Map<string, Draft>();
  for (const [path, item] of Object.entries(doc.paths)) {
    const parsed = parsePath(path);
    if (!parsed || !isDefaultEnabled(parsed.version)) continue;
    const id = `${parsed.group}/${parsed.version}/${parsed.plural}`;
    let draft = drafts.get(id);
    if (!draft) {
      draft = { ...parsed, verbs: new Set(), subresources: new Map() };
      drafts.set(id, draft);
    }
    if (parsed.namespaced) draft.namespaced = true;
    for (const [method, op] of Object.entries(item)) {
      if (method === 'parameters') continue;
      const action = op['x-kubernetes-action'];
      const verb = action ? ACTION_TO_VERB[action] : undefined;
      if (!verb) continue;
      const gvk = op['x-kubernetes-group-version-kind'];
      if (parsed.sub) {
        const sub = draft.subresources.get(parsed.sub) ?? { verbs: new Set<string>() };
        sub.kind ??= gvk;
        sub.verbs.add(verb);
        draft.subresources.set(parsed.sub, sub);
        continue;
      }
      draft.kind ??= gvk;
      draft.verbs.add(verb);
      if (verb === 'list') draft.verbs.add('watch');
    }
  }
  return [...drafts.values()].filter((d) => d.kind && (d.verbs.has('get') || d.verbs.has('list')));
}

function definitionIndex(doc: OpenApiV2Document): Map<string, string> {
  const index = new Map<string, string>();
  for (const [name, def] of Object.entries(doc.definitions)) {
    const gvks = def['x-kubernetes-group-version-kind'] as GroupVersionKind[] | undefined;
    for (const gvk of gvks ?? []) index.set(`${gvk.group}/${gvk.version}/${gvk.kind}`, name);
  }
  return index;
}

let builtins: readonly ResourceType[] | undefined;
let builtinResolver: TypeResolver | undefined;

/** The shared resolver over the vendored definitions (one per process). */
export function builtinTypeResolver(): TypeResolver {
  builtinResolver ??= new TypeResolver(loadOpenApiV2().definitions);
  return builtinResolver;
}

/** Built-in resource types of Kubernetes v1.35, derived once per process from the vendored schema. */
export function builtinResourceTypes(): readonly ResourceType[] {
  if (builtins) return builtins;
  const doc = loadOpenApiV2();
  const defs = definitionIndex(doc);
  const resolver = builtinTypeResolver();
  builtins = builtinResourceDrafts(doc).map((d): ResourceType => {
    const kind = d.kind!;
    const hintKey = `${d.group}/${d.plural}`;
    const definition = defs.get(`${kind.group}/${kind.version}/${kind.kind}`);
    const subresources: SubresourceType[] = [...d.subresources.entries()]
      .filter(([, s]) => s.kind)
      .map(([name, s]) => ({ name, kind: s.kind!, verbs: sortVerbs(s.verbs) }));
    return {
      group: d.group,
      version: d.version,
      kind: kind.kind,
      listKind: `${kind.kind}List`,
      plural: d.plural,
      singular: kind.kind.toLowerCase(),
      namespaced: d.namespaced,
      verbs: sortVerbs(d.verbs),
      shortNames: BUILTIN_SHORT_NAMES[hintKey] ?? [],
      categories: BUILTIN_CATEGORIES[hintKey] ?? [],
      subresources,
      get schema() {
        return definition ? resolver.definition(definition) : resolver.convert({ type: 'object' });
      },
      custom: false,
    };
  });
  return builtins;
}

/**
 * The resources one API server instance serves: the built-ins plus CRD-defined ones, looked up by
 * group/version/plural or by apiVersion/kind. Each instance has its own catalog (CRDs differ).
 */
export class ResourceCatalog {
  private readonly byPath = new Map<string, ResourceType>();
  private readonly byKind = new Map<string, ResourceType>();
  private readonly custom = new Map<string, ResourceType[]>();

  constructor(types: readonly ResourceType[] = builtinResourceTypes()) {
    for (const type of types) this.add(type);
  }

  get(group: string, version: string, plural: string): ResourceType | undefined {
    return this.byPath.get(`${group}/${version}/${plural}`);
  }

  forKind(apiVersion: string, kind: string): ResourceType | undefined {
    return this.byKind.get(`${apiVersion}/${kind}`);
  }

  all(): ResourceType[] {
    return [...this.byPath.values()];
  }

  /** Groups in discovery order (core first, then registration order) with their versions, preferred first. */
  groups(): { name: string; versions: string[] }[] {
    const groups = new Map<string, string[]>();
    for (const type of this.byPath.values()) {
      const versions = groups.get(type.group) ?? [];
      if (!versions.includes(type.version)) versions.push(type.version);
      groups.set(type.group, versions);
    }
    return [...groups.entries()].map(([name, versions]) => ({ name, versions: versions.sort(compareVersions) }));
  }

  /** Registers (or replaces) the resources of one CRD, identified by its name. */
  setCustom(crdName: string, types: readonly ResourceType[]): void {
    this.removeCustom(crdName);
    this.custom.set(crdName, [...types]);
    for (const type of types) this.add(type);
  }

  removeCustom(crdName: string): void {
    for (const type of this.custom.get(crdName) ?? []) {
      this.byPath.delete(`${type.group}/${type.version}/${type.plural}`);
      this.byKind.delete(`${apiVersionOf(type)}/${type.kind}`);
    }
    this.custom.delete(crdName);
  }

  private add(type: ResourceType): void {
    this.byPath.set(`${type.group}/${type.version}/${type.plural}`, type);
    // Several resources can serve one kind (e.g. none today); the first registered wins, as for the real RESTMapper.
    const kindKey = `${apiVersionOf(type)}/${type.kind}`;
    if (!this.byKind.has(kindKey)) this.byKind.set(kindKey, type);
  }
}

/** Kubernetes version priority: GA > beta > alpha, higher numbers first (v2 > v1 > v1beta2 > v1beta1 > v1alpha1). */
export function compareVersions(a: string, b: string): number {
  const rank = (v: string): [number, number, number] => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [-1, 0, 0];
    const stage = m[2] === 'alpha' ? 0 : m[2] === 'beta' ? 1 : 2;
    return [stage, Number(m[1]), Number(m[3] ?? 0)];
  };
  const [ra, rb] = [rank(a), rank(b)];
  for (let i = 0; i < 3; i++) if (ra[i] !== rb[i]) return rb[i]! - ra[i]!;
  return a.localeCompare(b);
}

export { resourceKey };

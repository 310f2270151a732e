import { builtinResourceTypes, loadOpenApiV2, type GroupVersionKind } from '@flotilla/kube-sim';

/** A JSON Schema node of the OpenAPI v2 document, as far as this validator reads it. */
interface Schema {
  readonly type?: string;
  readonly format?: string;
  readonly $ref?: string;
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly additionalProperties?: Schema | boolean;
  readonly items?: Schema;
  readonly required?: readonly string[];
  readonly enum?: readonly unknown[];
  readonly 'x-kubernetes-preserve-unknown-fields'?: boolean;
  readonly 'x-kubernetes-group-version-kind'?: readonly GroupVersionKind[];
}

/** One way a manifest contradicts the Kubernetes v1.35 schema, at a JSONPath-like location. */
export interface SchemaProblem {
  readonly path: string;
  readonly message: string;
}

const REF_PREFIX = '#/definitions/';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
// resource.Quantity's grammar: a signed decimal number, then a binary or decimal SI suffix or an exponent.
const QUANTITY_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;

let byKind: Map<string, string> | undefined;

/** Definition name per `apiVersion/kind`, from the definitions' x-kubernetes-group-version-kind. */
function definitionFor(apiVersion: string, kind: string): string | undefined {
  if (!byKind) {
    byKind = new Map();
    for (const [name, definition] of Object.entries(loadOpenApiV2().definitions as Readonly<Record<string, Schema>>)) {
      for (const gvk of definition['x-kubernetes-group-version-kind'] ?? []) {
        byKind.set(`${gvk.group ? `${gvk.group}/` : ''}${gvk.version}/${gvk.kind}`, name);
      }
    }
  }
  return byKind.get(`${apiVersion}/${kind}`);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  return typeof value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Validates a value against one schema node, strictly: undeclared fields, missing required fields,
 * wrong JSON types, and malformed quantities are all problems (what `fieldValidation=Strict` and
 * the API server's decoding would refuse). It walks the raw OpenAPI document, independently of the
 * reduced schema kube-sim serves from, so the two checks do not share a blind spot.
 */
function walk(value: unknown, schema: Schema, path: string, problems: SchemaProblem[]): void {
  const definitions = loadOpenApiV2().definitions as Readonly<Record<string, Schema>>;
  if (schema.$ref) {
    const name = schema.$ref.slice(REF_PREFIX.length);
    const target = definitions[name];
    if (!target) {
      problems.push({ path, message: `the schema refers to the unknown definition ${name}` });
      return;
    }
    if (name === QUANTITY) {
      const ok = (typeof value === 'number' && Number.isFinite(value)) || (typeof value === 'string' && QUANTITY_TEXT.test(value));
      if (!ok) problems.push({ path, message: `expected a quantity (e.g. 250m, 512Mi), got ${JSON.stringify(value)}` });
      return;
    }
    walk(value, target, path, problems);
    return;
  }
  if (value === null) return; // null means "unset" to the API server's decoder.
  if (schema['x-kubernetes-preserve-unknown-fields']) return;
  if (schema.enum && !schema.enum.includes(value)) {
    problems.push({ path, message: `expected one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}, got ${JSON.stringify(value)}` });
  }
  if (schema.format === 'int-or-string') {
    if (typeof value !== 'string' && !Number.isInteger(value)) problems.push({ path, message: `expected an integer or a string, got ${describe(value)}` });
    return;
  }
  switch (schema.type) {
    case 'string':
      if (typeof value !== 'string') problems.push({ path, message: `expected string, got ${describe(value)} ${JSON.stringify(value)}` });
      return;
    case 'integer':
      if (!Number.isInteger(value)) problems.push({ path, message: `expected integer, got ${describe(value)} ${JSON.stringify(value)}` });
      return;
    case 'number':
      if (typeof value !== 'number') problems.push({ path, message: `expected number, got ${describe(value)} ${JSON.stringify(value)}` });
      return;
    case 'boolean':
      if (typeof value !== 'boolean') problems.push({ path, message: `expected boolean, got ${describe(value)} ${JSON.stringify(value)}` });
      return;
    case 'array':
      if (!Array.isArray(value)) {
        problems.push({ path, message: `expected array, got ${describe(value)}` });
        return;
      }
      value.forEach((item, index) => walk(item, schema.items ?? {}, `${path}[${index}]`, problems));
      return;
    default:
      break;
  }
  if (schema.type !== 'object' && !schema.properties && schema.additionalProperties === undefined) return;
  if (!isObject(value)) {
    problems.push({ path, message: `expected object, got ${describe(value)}` });
    return;
  }
  for (const field of schema.required ?? []) {
    if (value[field] === undefined) problems.push({ path: `${path}.${field}`, message: 'required field is missing' });
  }
  for (const [key, child] of Object.entries(value)) {
    const declared = schema.properties?.[key];
    if (declared) walk(child, declared, `${path}.${key}`, problems);
    else if (isObject(schema.additionalProperties)) walk(child, schema.additionalProperties, `${path}.${key}`, problems);
    else if (schema.additionalProperties !== true) problems.push({ path: `${path}.${key}`, message: 'unknown field' });
  }
}

/**
 * Problems of one Kubernetes object against the vendored v1.35 schema (kube-sim's copy), including
 * an unknown apiVersion/kind, a missing name, and scope: a namespaced kind needs a namespace when
 * `requireNamespace` says the object is final (kustomize output), a cluster-scoped kind never has one.
 */
export function validateManifest(object: unknown, options: { requireNamespace?: boolean } = {}): SchemaProblem[] {
  if (!isObject(object)) return [{ path: '$', message: `expected an object, got ${describe(object)}` }];
  const { apiVersion, kind } = object;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return [{ path: '$', message: 'apiVersion and kind are required strings' }];
  const definition = definitionFor(apiVersion, kind);
  if (!definition) return [{ path: '$', message: `${apiVersion} ${kind} is not a kind Kubernetes v1.35 serves` }];
  const problems: SchemaProblem[] = [];
  walk(object, { $ref: `${REF_PREFIX}${definition}` }, '$', problems);
  const metadata = isObject(object['metadata']) ? object['metadata'] : {};
  if (typeof metadata['name'] !== 'string' || metadata['name'] === '') problems.push({ path: '$.metadata.name', message: 'required field is missing' });
  const type = builtinResourceTypes().find((t) => (t.group ? `${t.group}/${t.version}` : t.version) === apiVersion && t.kind === kind);
  if (type && !type.namespaced && metadata['namespace'] !== undefined) problems.push({ path: '$.metadata.namespace', message: `${kind} is cluster-scoped and takes no namespace` });
  if (type?.namespaced && options.requireNamespace && typeof metadata['namespace'] !== 'string') problems.push({ path: '$.metadata.namespace', message: `${kind} is namespaced: it needs a namespace` });
  return problems;
}

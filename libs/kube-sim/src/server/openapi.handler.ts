import { createHash } from 'node:crypto';
import { loadOpenApiV2, type OpenApiSchema } from '../schema/openapi-document.loader.js';
import type { ResourceCatalog } from '../schema/resource-catalog.js';
import type { ResourceType } from '../schema/resource-type.js';

type Json = Record<string, unknown>;

const builtinV3 = new Map<string, Buffer>();

/** `/openapi/v3` path key of a group version: `api/v1` or `apis/apps/v1`. */
function v3Key(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

function rewriteRefs<T>(value: T): T {
  return JSON.parse(JSON.stringify(value).replace(/"#\/definitions\//g, '"#/components/schemas/')) as T;
}

function convertParameter(param: Json): Json {
  const { type, uniqueItems, items, format, ...rest } = param;
  const schema: Json = { type: type ?? 'string' };
  if (uniqueItems !== undefined) schema['uniqueItems'] = uniqueItems;
  if (items !== undefined) schema['items'] = items;
  if (format !== undefined) schema['format'] = format;
  return { ...rest, schema };
}

/** Converts one Swagger 2.0 operation to OpenAPI 3.0: body parameter → requestBody, response schemas → content. */
function convertOperation(op: Json, shared: Json[], globals: Json): Json {
  const resolve = (p: Json): Json => (typeof p['$ref'] === 'string' ? (globals[(p['$ref'] as string).replace('#/parameters/', '')] as Json) : p);
  const params = [...shared, ...((op['parameters'] as Json[] | undefined) ?? [])].map(resolve);
  const out: Json = {};
  for (const [k, v] of Object.entries(op)) if (!['parameters', 'responses', 'consumes', 'produces', 'schemes'].includes(k)) out[k] = v;
  const consumes = (op['consumes'] as string[] | undefined) ?? ['application/json'];
  const produces = (op['produces'] as string[] | undefined) ?? ['application/json'];
  const body = params.find((p) => p['in'] === 'body');
  if (body) out['requestBody'] = { content: Object.fromEntries(consumes.map((c) => [c, { schema: body['schema'] }])), required: body['required'] ?? false };
  const query = params.filter((p) => p['in'] !== 'body' && !shared.includes(p)).map(convertParameter);
  if (query.length > 0) out['parameters'] = query;
  const responses: Json = {};
  for (const [code, r] of Object.entries((op['responses'] as Json | undefined) ?? {})) {
    const response = r as Json;
    responses[code] = response['schema']
      ? { description: response['description'], content: Object.fromEntries(produces.map((p) => [p, { schema: response['schema'] }])) }
      : { description: response['description'] };
  }
  out['responses'] = responses;
  return out;
}

function reachableDefinitions(root: unknown, definitions: Readonly<Record<string, OpenApiSchema>>): Json {
  const out: Json = {};
  const queue = [...JSON.stringify(root).matchAll(/"#\/definitions\/([^"]+)"/g)].map((m) => m[1]!);
  while (queue.length > 0) {
    const name = queue.pop()!;
    if (out[name] || !definitions[name]) continue;
    out[name] = definitions[name];
    for (const m of JSON.stringify(definitions[name]).matchAll(/"#\/definitions\/([^"]+)"/g)) queue.push(m[1]!);
  }
  return out;
}

function builtinGroupVersionDocument(group: string, version: string): Buffer {
  const key = v3Key(group, version);
  const cached = builtinV3.get(key);
  if (cached) return cached;
  const doc = loadOpenApiV2();
  const prefix = `/${key}/`;
  const globals = (doc['parameters'] ?? {}) as Json;
  const paths: Json = {};
  for (const [path, item] of Object.entries(doc.paths)) {
    if (!path.startsWith(prefix) && path !== `/${key}/`) continue;
    const shared = ((item['parameters'] as unknown as Json[] | undefined) ?? []).map((p) =>
      typeof p['$ref'] === 'string' ? (globals[(p['$ref'] as string).replace('#/parameters/', '')] as Json) : p,
    );
    const converted: Json = {};
    for (const [method, op] of Object.entries(item)) if (method !== 'parameters') converted[method] = convertOperation(op as Json, shared, globals);
    if (shared.length > 0) converted['parameters'] = shared.map(convertParameter);
    paths[path] = converted;
  }
  const body = rewriteRefs({
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.35.0' },
    paths,
    components: { schemas: reachableDefinitions(paths, doc.definitions), securitySchemes: { BearerToken: { type: 'apiKey', name: 'authorization', in: 'header' } } },
  });
  const bytes = Buffer.from(JSON.stringify(body));
  builtinV3.set(key, bytes);
  return bytes;
}

function customDefinitionName(t: ResourceType): string {
  return `${t.group.split('.').reverse().join('.')}.${t.version}.${t.kind}`;
}

const WRITE_PARAMS = ['dryRun', 'fieldManager', 'fieldValidation'].map((name) => ({ name, in: 'query', schema: { type: 'string', uniqueItems: true } }));

/** An OpenAPI v3 document for CRD-served resources of one group version: enough for kubectl's schema and parameter checks. */
function customGroupVersionDocument(types: ResourceType[]): Buffer {
  const schemas: Json = {};
  const paths: Json = {};
  for (const t of types) {
    const name = customDefinitionName(t);
    const declared = t.openApiSchema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    schemas[name] = { ...declared, 'x-kubernetes-group-version-kind': [{ group: t.group, version: t.version, kind: t.kind }] };
    const ref = { $ref: `#/components/schemas/${name}` };
    const ok = { '200': { description: 'OK', content: { 'application/json': { schema: ref } } } };
    const gvk = { group: t.group, version: t.version, kind: t.kind };
    const base = `/apis/${t.group}/${t.version}${t.namespaced ? '/namespaces/{namespace}' : ''}/${t.plural}`;
    paths[base] = {
      get: { 'x-kubernetes-action': 'list', 'x-kubernetes-group-version-kind': gvk, responses: ok },
      post: { 'x-kubernetes-action': 'post', 'x-kubernetes-group-version-kind': gvk, parameters: WRITE_PARAMS, requestBody: { content: { 'application/json': { schema: ref } } }, responses: ok },
    };
    paths[`${base}/{name}`] = {
      get: { 'x-kubernetes-action': 'get', 'x-kubernetes-group-version-kind': gvk, responses: ok },
      put: { 'x-kubernetes-action': 'put', 'x-kubernetes-group-version-kind': gvk, parameters: WRITE_PARAMS, requestBody: { content: { 'application/json': { schema: ref } } }, responses: ok },
      patch: {
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': gvk,
        parameters: [...WRITE_PARAMS, { name: 'force', in: 'query', schema: { type: 'boolean', uniqueItems: true } }],
        requestBody: { content: { 'application/merge-patch+json': { schema: { type: 'object' } }, 'application/apply-patch+yaml': { schema: { type: 'object' } } } },
        responses: ok,
      },
      delete: { 'x-kubernetes-action': 'delete', 'x-kubernetes-group-version-kind': gvk, responses: ok },
    };
  }
  return Buffer.from(JSON.stringify({ openapi: '3.0.0', info: { title: 'Kubernetes CRD Swagger', version: 'v0.1.0' }, paths, components: { schemas } }));
}

/** `/openapi/v3`: the index of group-version documents, each with a content hash for client caching. */
export function openApiV3Index(catalog: ResourceCatalog): Json {
  const paths: Json = {};
  for (const g of catalog.groups()) {
    for (const v of g.versions) {
      const key = v3Key(g.name, v);
      const custom = catalog.all().filter((t) => t.group === g.name && t.version === v && t.custom);
      const hash = createHash('sha512').update(`v1.35.0/${key}/${custom.map((t) => `${t.kind}:${t.plural}`).join(',')}`).digest('hex').toUpperCase().slice(0, 128);
      paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` };
    }
  }
  return { paths };
}

/** `/openapi/v3/{api/v1 | apis/g/v}`, or undefined when that group version is not served. */
export function openApiV3Document(catalog: ResourceCatalog, group: string, version: string): Buffer | undefined {
  const types = catalog.all().filter((t) => t.group === group && t.version === version);
  if (types.length === 0) return undefined;
  if (types.every((t) => t.custom)) return customGroupVersionDocument(types);
  return builtinGroupVersionDocument(group, version);
}


import type { JsonObject, JsonValue } from '../fields/json-value.util.js';
import { isJsonObject } from '../fields/json-value.util.js';
import type { ResourceType } from '../schema/resource-type.js';
import type { SchemaNode } from '../schema/schema-node.js';
import { invalid, type StatusCause } from './api-status.error.js';

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

/** Resources whose names must be DNS-1123 labels rather than subdomains (upstream's per-type name validation). */
const LABEL_NAMED = new Set(['/namespaces', '/services']);

/** Checks a name the way upstream does for this resource; returns causes (empty when valid). */
export function nameCauses(type: ResourceType, name: string, field = 'metadata.name'): StatusCause[] {
  const asLabel = LABEL_NAMED.has(`${type.group}/${type.plural}`);
  if (type.group === 'rbac.authorization.k8s.io') return name.includes('/') || name.includes('%') || name === '.' || name === '..' ? [{ type: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(name)}: may not contain '/'`, field }] : [];
  const limit = asLabel ? 63 : 253;
  if (name.length > limit) {
    return [{ type: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(name)}: must be no more than ${limit} characters`, field }];
  }
  const ok = asLabel ? LABEL.test(name) : SUBDOMAIN.test(name);
  return ok ? [] : [{ type: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(name)}: ${asLabel ? LABEL_MSG : SUBDOMAIN_MSG}`, field }];
}

/** Validates a namespace name (DNS-1123 label), for request paths and bodies alike. */
export function namespaceCauses(namespace: string): StatusCause[] {
  if (namespace.length <= 63 && LABEL.test(namespace)) return [];
  return [{ type: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(namespace)}: ${LABEL_MSG}`, field: 'metadata.namespace' }];
}

function requiredCauses(value: JsonValue | undefined, node: SchemaNode, path: string, out: StatusCause[]): void {
  if (node.kind === 'list' && Array.isArray(value)) {
    value.forEach((item, i) => requiredCauses(item, node.elem, `${path}[${i}]`, out));
    return;
  }
  if (node.kind !== 'struct' || !isJsonObject(value)) return;
  for (const field of node.required) {
    if (value[field] === undefined || value[field] === null) out.push({ type: 'FieldValueRequired', message: 'Required value', field: path ? `${path}.${field}` : field });
  }
  for (const [key, child] of Object.entries(value)) {
    if (path === '' && (key === 'metadata' || key === 'apiVersion' || key === 'kind')) continue;
    const sub = node.field(key);
    if (sub) requiredCauses(child, sub, path ? `${path}.${key}` : key, out);
  }
}

/** Unknown-field paths (`.spec.foo`) against the schema, for fieldValidation Strict/Warn. */
export function unknownFields(value: JsonValue | undefined, node: SchemaNode, path = ''): string[] {
  if (node.kind === 'list' && Array.isArray(value)) return value.flatMap((item, i) => unknownFields(item, node.elem, `${path}[${i}]`));
  if (node.kind === 'map' && isJsonObject(value)) return Object.entries(value).flatMap(([k, v]) => unknownFields(v, node.elem, `${path}.${k}`));
  if (node.kind !== 'struct' || !isJsonObject(value)) return [];
  const out: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    const sub = node.field(key);
    if (!sub) out.push(`${path}.${key}`);
    else if (sub !== node.unknownFields) out.push(...unknownFields(child, sub, `${path}.${key}`));
  }
  return out;
}

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const NAME_PART_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

/** Checks a label or annotation key: optional DNS-subdomain prefix, then a name part of at most 63 characters. */
function keyCauses(key: string, field: string): StatusCause[] {
  const slash = key.lastIndexOf('/');
  const [prefix, name] = slash >= 0 ? [key.slice(0, slash), key.slice(slash + 1)] : ['', key];
  const causes: StatusCause[] = [];
  if (slash >= 0 && (prefix.length > 253 || !SUBDOMAIN.test(prefix))) causes.push({ type: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(key)}: prefix part ${SUBDOMAIN_MSG}`, field });
  if (name.length > 63) causes.push({ type: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(key)}: name part must be no more than 63 characters`, field });
  else if (!NAME_PART.test(name)) causes.push({ type: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(key)}: ${NAME_PART_MSG}`, field });
  return causes;
}

/** Label keys and values, and annotation keys, as upstream's ValidateObjectMeta checks them. */
function labelCauses(meta: JsonObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const labels = isJsonObject(meta['labels']) ? meta['labels'] : {};
  for (const [key, value] of Object.entries(labels)) {
    causes.push(...keyCauses(key, 'metadata.labels'));
    const text = typeof value === 'string' ? value : '';
    if (typeof value !== 'string') causes.push({ type: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(value)}: must be a string`, field: `metadata.labels` });
    else if (text.length > 63) causes.push({ type: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(text)}: must be no more than 63 characters`, field: 'metadata.labels' });
    else if (!LABEL_VALUE.test(text)) causes.push({ type: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(text)}: ${LABEL_VALUE_MSG}`, field: 'metadata.labels' });
  }
  const annotations = isJsonObject(meta['annotations']) ? meta['annotations'] : {};
  for (const key of Object.keys(annotations)) causes.push(...keyCauses(key.toLowerCase(), 'metadata.annotations'));
  return causes;
}

/**
 * Validates an object about to be stored: name, namespace and the schema's required fields.
 * Throws a 422 Invalid Status listing every cause, as upstream validation does.
 */
export function validateObject(type: ResourceType, obj: JsonObject): void {
  const meta = isJsonObject(obj['metadata']) ? obj['metadata'] : {};
  const name = typeof meta['name'] === 'string' ? meta['name'] : '';
  const causes: StatusCause[] = [];
  if (!name) causes.push({ type: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' });
  else causes.push(...nameCauses(type, name));
  if (type.namespaced && typeof meta['namespace'] === 'string') causes.push(...namespaceCauses(meta['namespace']));
  causes.push(...labelCauses(meta));
  requiredCauses(obj, type.schema, '', causes);
  if (causes.length > 0) throw invalid(type.kind, type.group, name, causes);
}

import { isJsonObject, type JsonObject, type JsonValue } from '../fields/json-value.util.js';
import type { ResourceType } from '../schema/resource-type.js';
import type { SchemaNode } from '../schema/schema-node.js';
import { badRequest, invalid, type KubeApiError } from './api-status.error.js';
import { metadataOf } from './api-request.js';

/** The first value whose JSON type contradicts the schema. */
interface TypeMismatch {
  /** Dotted path from the root as Go's decoder names it, without list indexes (`spec.containers.image`). */
  readonly path: string;
  /** The same path with list indexes, as schema validation names it (`spec.containers[0].image`). */
  readonly indexed: string;
  readonly node: SchemaNode;
  readonly value: JsonValue;
  /** Go type name of the struct holding the field, for upstream's decoding message. */
  readonly owner?: string;
}

function jsonType(value: JsonValue): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'boolean') return 'bool';
  return typeof value;
}

function scalarMatches(node: Extract<SchemaNode, { kind: 'scalar' }>, value: JsonValue): boolean {
  switch (node.type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    case 'int-or-string':
      return typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value));
    default:
      return true;
  }
}

function firstMismatch(value: JsonValue, node: SchemaNode, path: string, indexed: string, owner: string | undefined): TypeMismatch | undefined {
  // null means "unset" to the decoder for every type.
  if (value === null) return undefined;
  const here = { path, indexed, node, value, owner };
  const join = (base: string, key: string): string => (base ? `${base}.${key}` : key);
  switch (node.kind) {
    case 'scalar':
      return scalarMatches(node, value) ? undefined : here;
    case 'list':
      if (!Array.isArray(value)) return here;
      for (const [i, item] of value.entries()) {
        const found = firstMismatch(item, node.elem, path, `${indexed}[${i}]`, owner);
        if (found) return found;
      }
      return undefined;
    case 'map':
      if (!isJsonObject(value)) return here;
      for (const [k, v] of Object.entries(value)) {
        const found = firstMismatch(v, node.elem, join(path, k), join(indexed, k), owner);
        if (found) return found;
      }
      return undefined;
    case 'struct':
      if (!isJsonObject(value)) return here;
      for (const [k, v] of Object.entries(value)) {
        const child = node.field(k);
        const found = child ? firstMismatch(v, child, join(path, k), join(indexed, k), node.typeName ?? owner) : undefined;
        if (found) return found;
      }
      return undefined;
    default:
      return undefined;
  }
}

function goType(node: SchemaNode): string {
  switch (node.kind) {
    case 'scalar':
      return node.type === 'integer' ? (node.format ?? 'int64') : node.type === 'number' ? 'float64' : node.type === 'boolean' ? 'bool' : node.type === 'int-or-string' ? 'intstr.IntOrString' : 'string';
    case 'list':
      return `[]${goType(node.elem)}`;
    case 'map':
      return `map[string]${goType(node.elem)}`;
    case 'struct':
      return node.typeName ? `v1.${node.typeName}` : 'struct';
    default:
      return 'interface {}';
  }
}

function smdExpectation(node: SchemaNode): string {
  if (node.kind === 'list') return 'list';
  if (node.kind === 'map' || node.kind === 'struct') return 'map';
  if (node.kind !== 'scalar') return 'value';
  if (node.type === 'integer' || node.type === 'number') return 'numeric (int or float)';
  return node.type === 'boolean' ? 'boolean' : 'string';
}

function openApiType(node: SchemaNode): string {
  if (node.kind === 'list') return 'array';
  if (node.kind !== 'scalar') return 'object';
  return node.type === 'int-or-string' ? 'integer' : node.type;
}

/**
 * Rejects a body whose values contradict the schema's types, in the form the real server
 * reports it: built-ins fail JSON decoding (400, Go's `cannot unmarshal` message), server-side
 * apply fails building the typed object (400), custom resources fail schema validation (422).
 */
export function checkValueTypes(type: ResourceType, body: JsonObject, operation: 'write' | 'apply', namespace?: string): void {
  const mismatch = firstMismatch(body, type.schema, '', '', undefined);
  if (mismatch) throw typeError(type, body, mismatch, operation, namespace);
  if (type.group === '' && type.plural === 'secrets' && isJsonObject(body['data'])) checkBase64(type, body['data']);
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Secret data decodes as []byte: values must be standard base64, or decoding fails as upstream's does. */
function checkBase64(type: ResourceType, data: JsonObject): void {
  for (const value of Object.values(data)) {
    if (typeof value !== 'string' || (BASE64.test(value) && value.length % 4 === 0)) continue;
    const bad = value.search(/[^A-Za-z0-9+/=]/);
    throw badRequest(`${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: illegal base64 data at input byte ${bad >= 0 ? bad : value.length}`);
  }
}

function typeError(type: ResourceType, body: JsonObject, m: TypeMismatch, operation: 'write' | 'apply', namespace?: string): KubeApiError {
  const actual = jsonType(m.value);
  if (type.custom) {
    return invalid(type.kind, type.group, String(metadataOf(body)['name'] ?? ''), [
      { type: 'FieldValueTypeInvalid', message: `Invalid value: ${JSON.stringify(actual)}: ${m.indexed} in body must be of type ${openApiType(m.node)}: ${JSON.stringify(actual)}`, field: m.indexed },
    ]);
  }
  if (operation === 'apply') {
    const name = String(metadataOf(body)['name'] ?? '');
    const where = `${namespace ? `${namespace}/` : ''}${name}; ${String(body['apiVersion'])}, Kind=${type.kind}`;
    return badRequest(`failed to create typed patch object (${where}): .${m.indexed}: expected ${smdExpectation(m.node)}, got ${actual}`);
  }
  const field = m.owner ? `Go struct field ${m.owner}.${m.path}` : `Go value`;
  return badRequest(`${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: json: cannot unmarshal ${actual} into ${field} of type ${goType(m.node)}`);
}

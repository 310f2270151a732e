import { cloneJson, deepEqual, isJsonObject, type JsonValue } from '../fields/json-value.util.js';
import { badRequest, invalid } from '../store/api-status.error.js';

/** One RFC 6902 operation. */
export interface JsonPatchOperation {
  readonly op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  readonly path: string;
  readonly from?: string;
  readonly value?: JsonValue;
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw badRequest(`the server rejected our request due to an error in our request: invalid JSON pointer ${JSON.stringify(path)}`);
  return path.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: JsonValue, tokens: string[], path: string): { parent: JsonValue; last: string } {
  let node: JsonValue = doc;
  for (const t of tokens.slice(0, -1)) {
    const next: JsonValue | undefined = Array.isArray(node) ? node[Number(t)] : isJsonObject(node) ? node[t] : undefined;
    if (next === undefined) throw invalidPatch(`doc is missing path: "${path}": missing value`);
    node = next;
  }
  return { parent: node, last: tokens[tokens.length - 1]! };
}

function invalidPatch(message: string): Error {
  return invalid('Patch', '', '', [{ type: 'FieldValueInvalid', message }]);
}

function get(doc: JsonValue, path: string): JsonValue {
  let node: JsonValue | undefined = doc;
  for (const t of pointer(path)) node = Array.isArray(node) ? node[Number(t)] : isJsonObject(node) ? node[t] : undefined;
  if (node === undefined) throw invalidPatch(`doc is missing path: "${path}": missing value`);
  return node;
}

function add(doc: JsonValue, path: string, value: JsonValue, replace: boolean): JsonValue {
  const tokens = pointer(path);
  if (tokens.length === 0) return cloneJson(value);
  const { parent, last } = parentOf(doc, tokens, path);
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(index) || index < 0 || index > parent.length - (replace ? 1 : 0)) throw invalidPatch(`unable to access invalid index: ${last}`);
    parent.splice(index, replace ? 1 : 0, cloneJson(value));
  } else if (isJsonObject(parent)) {
    if (replace && !(last in parent)) throw invalidPatch(`doc is missing key: ${path}: missing value`);
    parent[last] = cloneJson(value);
  } else throw invalidPatch(`doc is missing path: "${path}": missing value`);
  return doc;
}

function remove(doc: JsonValue, path: string): JsonValue {
  const tokens = pointer(path);
  const { parent, last } = parentOf(doc, tokens, path);
  if (Array.isArray(parent) && Number(last) < parent.length) parent.splice(Number(last), 1);
  else if (isJsonObject(parent) && last in parent) delete parent[last];
  else throw invalidPatch(`doc is missing path: "${path}": missing value`);
  return doc;
}

/** Applies RFC 6902 operations to a copy of `target`; failures are 422/400 Status errors as upstream. */
export function applyJsonPatch(target: JsonValue, operations: JsonValue): JsonValue {
  if (!Array.isArray(operations)) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  let doc = cloneJson(target);
  for (const raw of operations) {
    if (!isJsonObject(raw) || typeof raw['op'] !== 'string' || typeof raw['path'] !== 'string') throw badRequest('invalid JSON patch operation');
    const op = raw as unknown as JsonPatchOperation;
    switch (op.op) {
      case 'add':
        doc = add(doc, op.path, op.value ?? null, false);
        break;
      case 'replace':
        doc = add(doc, op.path, op.value ?? null, true);
        break;
      case 'remove':
        doc = remove(doc, op.path);
        break;
      case 'move': {
        const value = get(doc, op.from ?? '');
        doc = add(remove(doc, op.from ?? ''), op.path, value, false);
        break;
      }
      case 'copy':
        doc = add(doc, op.path, get(doc, op.from ?? ''), false);
        break;
      case 'test':
        if (!deepEqual(get(doc, op.path), op.value)) throw invalidPatch(`testing value ${op.path} failed: test failed`);
        break;
      default:
        throw badRequest(`Unexpected kind: ${String((op as { op: unknown }).op)}`);
    }
  }
  return doc;
}

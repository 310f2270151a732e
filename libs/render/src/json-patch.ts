import type { JsonPatchOperation } from '@flotilla/manifest';

/** A JSON patch that cannot be applied, with the operation's index and the reason. */
export class JsonPatchError extends Error {
  override readonly name = 'JsonPatchError';
}

type Container = Record<string, unknown> | unknown[];

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function isContainer(value: unknown): value is Container {
  return typeof value === 'object' && value !== null;
}

function clone<T>(value: T): T {
  return value === undefined ? value : (structuredClone(value) as T);
}

function arrayIndex(token: string, length: number, allowEnd: boolean, pointer: string): number {
  if (allowEnd && token === '-') return length;
  if (!/^(0|[1-9]\d*)$/.test(token)) throw new JsonPatchError(`"${pointer}": "${token}" is not an array index`);
  const index = Number(token);
  if (index > length || (!allowEnd && index === length)) throw new JsonPatchError(`"${pointer}": index ${index} is out of bounds`);
  return index;
}

function parentOf(document: unknown, tokens: string[], pointer: string): Container {
  let node: unknown = document;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(node)) node = node[arrayIndex(token, node.length, false, pointer)];
    else if (isContainer(node) && Object.hasOwn(node, token)) node = (node as Record<string, unknown>)[token];
    else throw new JsonPatchError(`"${pointer}": the path does not exist`);
  }
  if (!isContainer(node)) throw new JsonPatchError(`"${pointer}": the parent is not an object or array`);
  return node;
}

function get(document: unknown, pointer: string): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return document;
  const parent = parentOf(document, tokens, pointer);
  const last = tokens.at(-1)!;
  if (Array.isArray(parent)) return parent[arrayIndex(last, parent.length, false, pointer)];
  if (!Object.hasOwn(parent, last)) throw new JsonPatchError(`"${pointer}": the path does not exist`);
  return parent[last];
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  // defineProperty, not assignment: a "__proto__" key stays an ordinary own property.
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function add(document: unknown, pointer: string, value: unknown): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return value;
  const parent = parentOf(document, tokens, pointer);
  const last = tokens.at(-1)!;
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, true, pointer), 0, value);
  else setOwn(parent, last, value);
  return document;
}

function remove(document: unknown, pointer: string): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) throw new JsonPatchError('cannot remove the whole document');
  const parent = parentOf(document, tokens, pointer);
  const last = tokens.at(-1)!;
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, false, pointer), 1);
  else if (Object.hasOwn(parent, last)) delete parent[last];
  else throw new JsonPatchError(`"${pointer}": the path does not exist`);
  return document;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!isContainer(a) || !isContainer(b) || Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  return keysA.length === keysB.length && keysA.every((key) => Object.hasOwn(b, key) && deepEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

/** Applies an RFC 6902 JSON patch to a copy of `document`; the input is never modified. */
export function applyJsonPatch<T>(document: T, operations: readonly JsonPatchOperation[]): T {
  let result: unknown = clone(document);
  operations.forEach((operation, index) => {
    try {
      switch (operation.op) {
        case 'add':
          result = add(result, operation.path, clone(operation.value));
          break;
        case 'remove':
          result = remove(result, operation.path);
          break;
        case 'replace':
          if (parsePointer(operation.path).length === 0) {
            result = clone(operation.value);
            break;
          }
          get(result, operation.path);
          result = add(remove(result, operation.path), operation.path, clone(operation.value));
          break;
        case 'move': {
          if (operation.path.startsWith(`${operation.from}/`)) throw new JsonPatchError(`cannot move "${operation.from}" into itself`);
          const value = get(result, operation.from);
          result = add(remove(result, operation.from), operation.path, value);
          break;
        }
        case 'copy':
          result = add(result, operation.path, clone(get(result, operation.from)));
          break;
        case 'test':
          if (!deepEqual(get(result, operation.path), operation.value)) throw new JsonPatchError(`test of "${operation.path}" failed`);
          break;
      }
    } catch (error) {
      if (error instanceof JsonPatchError) throw new JsonPatchError(`operation ${index} (${operation.op}): ${error.message}`);
      throw error;
    }
  });
  return result as T;
}

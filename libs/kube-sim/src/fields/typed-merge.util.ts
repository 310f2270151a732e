import type { SchemaNode } from '../schema/schema-node.js';
import { fieldElement, type FieldPath } from './field-path.js';
import type { FieldSet } from './field-set.js';
import { cloneJson, isJsonObject, type JsonObject, type JsonValue } from './json-value.util.js';
import { indexItems, itemElement, memberNode, shapeOf } from './typed-walk.util.js';

/**
 * Merges an applied configuration into the live value under a schema, as server-side apply does:
 * granular objects merge key by key, map lists item by key (live order kept, new items appended),
 * sets by value, and everything atomic is replaced. Inputs are not modified.
 */
export function mergeTyped(live: JsonValue | undefined, config: JsonValue, node: SchemaNode): JsonValue {
  if (live === undefined) return cloneJson(config);
  const shape = shapeOf(node, config);
  if (shape === 'leaf' || shapeOf(node, live) !== shape) return cloneJson(config);
  if (shape === 'list' && node.kind === 'list' && Array.isArray(live) && Array.isArray(config)) {
    const incoming = indexItems(node, config);
    const used = new Set<string>();
    const out: JsonValue[] = live.map((item, i) => {
      const pe = itemElement(node, item, i);
      const update = incoming.get(pe);
      if (update === undefined) return cloneJson(item);
      used.add(pe);
      return mergeTyped(item, update, node.elem);
    });
    for (const [pe, item] of incoming) if (!used.has(pe)) out.push(cloneJson(item));
    return out;
  }
  const out: JsonObject = cloneJson(live as JsonObject);
  for (const [key, value] of Object.entries(config as JsonObject)) {
    out[key] = mergeTyped(out[key], value, memberNode(node, key));
  }
  return out;
}

/**
 * Removes the given paths from a value (structured-merge-diff's RemoveItems): a removed member
 * disappears with everything below it; children listed in the set are removed inside kept nodes.
 */
export function removeTyped(value: JsonValue, remove: FieldSet, node: SchemaNode, path: FieldPath = []): JsonValue {
  if (remove.isEmpty()) return value;
  const shape = shapeOf(node, value);
  if (shape === 'list' && node.kind === 'list' && Array.isArray(value)) {
    const out: JsonValue[] = [];
    value.forEach((item, i) => {
      const pe = itemElement(node, item, i);
      if (remove.members.has(pe)) return;
      const below = remove.children.get(pe);
      if (!below) {
        out.push(item);
        return;
      }
      const kept = removeTyped(item, below, node.elem, [...path, pe]);
      // A kept map-list item keeps its key fields: they identify it even when nobody owns them.
      if (node.listType === 'map' && isJsonObject(item) && isJsonObject(kept)) {
        const keys: JsonObject = {};
        for (const k of node.keys) if (item[k] !== undefined) keys[k] = item[k];
        out.push({ ...keys, ...kept });
      } else out.push(kept);
    });
    return out;
  }
  if (shape !== 'object' || !isJsonObject(value)) return value;
  const out: JsonObject = {};
  for (const [key, child] of Object.entries(value)) {
    const pe = fieldElement(key);
    if (remove.members.has(pe)) continue;
    const below = remove.children.get(pe);
    out[key] = below ? removeTyped(child, below, memberNode(node, key), [...path, pe]) : child;
  }
  return out;
}

import { UNTYPED, type ListNode, type SchemaNode } from '../schema/schema-node.js';
import { fieldElement, indexElement, keyElement, valueElement, type PathElement } from './field-path.js';
import { isJsonObject, type JsonValue } from './json-value.util.js';

/** How a node's value decomposes into children for field ownership; `leaf` values are owned whole. */
export type Shape = 'leaf' | 'object' | 'list';

export function shapeOf(node: SchemaNode, value: JsonValue | undefined): Shape {
  switch (node.kind) {
    case 'struct':
    case 'map':
      return node.atomic || !isJsonObject(value) ? 'leaf' : 'object';
    case 'list':
      return node.listType === 'atomic' || !Array.isArray(value) ? 'leaf' : 'list';
    case 'untyped':
      return isJsonObject(value) ? 'object' : 'leaf';
    default:
      return 'leaf';
  }
}

/** The schema of an object member; undeclared fields are treated as untyped rather than dropped. */
export function memberNode(node: SchemaNode, key: string): SchemaNode {
  if (node.kind === 'struct') return node.field(key) ?? node.unknownFields ?? UNTYPED;
  if (node.kind === 'map') return node.elem;
  return UNTYPED;
}

/** True when `key` is a declared struct field (struct fields are not members unless empty, as upstream). */
export function isDeclaredField(node: SchemaNode, key: string): boolean {
  return node.kind === 'struct' && node.field(key) !== undefined && node.field(key) !== node.unknownFields;
}

/** The path element naming a list item: its key for map lists, its value for sets. */
export function itemElement(list: ListNode, item: JsonValue, index: number): PathElement {
  if (list.listType === 'map' && isJsonObject(item)) return keyElement(list.keyDefaults ? { ...list.keyDefaults, ...item } : item, list.keys);
  if (list.listType === 'set') return valueElement(item);
  return indexElement(index);
}

export { fieldElement };

/** Indexes list items by path element; later duplicates win, as the API server rejects them on validation. */
export function indexItems(list: ListNode, items: readonly JsonValue[]): Map<PathElement, JsonValue> {
  const out = new Map<PathElement, JsonValue>();
  items.forEach((item, i) => out.set(itemElement(list, item, i), item));
  return out;
}

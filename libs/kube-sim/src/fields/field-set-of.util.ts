import type { SchemaNode } from '../schema/schema-node.js';
import { fieldElement, type FieldPath } from './field-path.js';
import { FieldSet } from './field-set.js';
import { isJsonObject, type JsonValue } from './json-value.util.js';
import { isDeclaredField, itemElement, memberNode, shapeOf } from './typed-walk.util.js';

/**
 * The set of fields a value specifies, as structured-merge-diff's ToFieldSet computes it for an
 * applied configuration: leaves, list items (by key or value), map entries, and declared struct
 * fields only when their value is empty or null.
 */
export function fieldSetOf(value: JsonValue, node: SchemaNode): FieldSet {
  const set = new FieldSet();
  walk(value, node, [], set);
  return set;
}

function walk(value: JsonValue, node: SchemaNode, path: FieldPath, set: FieldSet): void {
  const shape = shapeOf(node, value);
  if (shape === 'leaf') {
    set.insert(path);
    return;
  }
  if (shape === 'list' && Array.isArray(value) && node.kind === 'list') {
    value.forEach((item, i) => {
      const itemPath = [...path, itemElement(node, item, i)];
      walk(item, node.elem, itemPath, set);
      set.insert(itemPath);
    });
    return;
  }
  if (!isJsonObject(value)) return;
  for (const [key, child] of Object.entries(value)) {
    const childPath = [...path, fieldElement(key)];
    walk(child, memberNode(node, key), childPath, set);
    const empty = child === null || (isJsonObject(child) && Object.keys(child).length === 0);
    if (empty || !isDeclaredField(node, key)) set.insert(childPath);
  }
}

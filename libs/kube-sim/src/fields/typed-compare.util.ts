import type { SchemaNode } from '../schema/schema-node.js';
import { fieldElement, type FieldPath } from './field-path.js';
import { FieldSet } from './field-set.js';
import { deepEqual, isJsonObject, type JsonValue } from './json-value.util.js';
import { indexItems, memberNode, shapeOf } from './typed-walk.util.js';

/** What changed between two versions of an object, field by field (structured-merge-diff's Comparison). */
export interface Comparison {
  readonly added: FieldSet;
  readonly modified: FieldSet;
  readonly removed: FieldSet;
}

/**
 * Compares two values under a schema. A node present only on one side is added/removed together
 * with everything below it; struct-typed nodes are recorded only when empty, matching the sets
 * the real API server writes for Update operations (`f:labels: {".": {}}` but no `.` on `f:spec`).
 */
export function compareTyped(lhs: JsonValue | undefined, rhs: JsonValue | undefined, node: SchemaNode): Comparison {
  const result = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  walk(lhs, rhs, node, [], result);
  return result;
}

function isEmptyish(v: JsonValue | undefined): boolean {
  return v === null || (isJsonObject(v) && Object.keys(v).length === 0) || (Array.isArray(v) && v.length === 0);
}

function walk(lhs: JsonValue | undefined, rhs: JsonValue | undefined, node: SchemaNode, path: FieldPath, out: Comparison): void {
  if (lhs === undefined && rhs === undefined) return;
  const ls = lhs === undefined ? undefined : shapeOf(node, lhs);
  const rs = rhs === undefined ? undefined : shapeOf(node, rhs);
  const bothEmpty = (lhs === undefined || isEmptyish(lhs)) && (rhs === undefined || isEmptyish(rhs));
  const mismatched = ls !== undefined && rs !== undefined && ls !== rs;
  if (ls === 'leaf' || rs === 'leaf' || bothEmpty || mismatched) {
    if (lhs === undefined) out.added.insert(path);
    else if (rhs === undefined) out.removed.insert(path);
    else if (!deepEqual(lhs, rhs)) out.modified.insert(path);
    return;
  }
  const structLike = node.kind === 'struct';
  if (lhs === undefined && !structLike) out.added.insert(path);
  if (rhs === undefined && !structLike) out.removed.insert(path);
  if (node.kind === 'list' && (Array.isArray(lhs) || Array.isArray(rhs))) {
    const left = indexItems(node, Array.isArray(lhs) ? lhs : []);
    const right = indexItems(node, Array.isArray(rhs) ? rhs : []);
    for (const pe of new Set([...left.keys(), ...right.keys()])) {
      const [l, r] = [left.get(pe), right.get(pe)];
      const itemPath = [...path, pe];
      if (l === undefined) out.added.insert(itemPath);
      if (r === undefined) out.removed.insert(itemPath);
      walk(l, r, node.elem, itemPath, out);
    }
    return;
  }
  const lo = isJsonObject(lhs) ? lhs : {};
  const ro = isJsonObject(rhs) ? rhs : {};
  for (const key of new Set([...Object.keys(lo), ...Object.keys(ro)])) {
    walk(lo[key], ro[key], memberNode(node, key), [...path, fieldElement(key)], out);
  }
}

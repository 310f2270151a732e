import { UNTYPED, type SchemaNode } from '../schema/schema-node.js';
import { cloneJson, deepEqual, isJsonObject, type JsonObject, type JsonValue } from '../fields/json-value.util.js';
import { memberNode } from '../fields/typed-walk.util.js';

/**
 * Strategic merge patch as kubectl sends it: maps merge (`null` deletes), lists with a patch merge
 * key merge item by key (`$patch: delete` removes an item, `$patch: replace` replaces), primitive
 * lists with strategy `merge` are unions (`$deleteFromPrimitiveList/<field>` removes values),
 * `$retainKeys` drops unlisted keys, other lists are replaced. `$setElementOrder` is honoured for order.
 */
export function applyStrategicMergePatch(target: JsonValue | undefined, patch: JsonValue, node: SchemaNode): JsonValue {
  if (!isJsonObject(patch)) return cloneJson(patch);
  if (patch['$patch'] === 'replace') {
    const rest = { ...patch };
    delete rest['$patch'];
    return cloneJson(rest);
  }
  if (patch['$patch'] === 'delete') return {};
  const out: JsonObject = isJsonObject(target) ? { ...target } : {};
  const retain = Array.isArray(patch['$retainKeys']) ? new Set(patch['$retainKeys'] as string[]) : undefined;
  const orders = new Map<string, JsonValue[]>();
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$setElementOrder/') && Array.isArray(value)) orders.set(key.slice('$setElementOrder/'.length), value);
    if (key.startsWith('$deleteFromPrimitiveList/') && Array.isArray(value)) {
      const field = key.slice('$deleteFromPrimitiveList/'.length);
      const current = out[field];
      if (Array.isArray(current)) out[field] = current.filter((v) => !value.some((d) => deepEqual(d, v)));
    }
  }
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) continue;
    if (value === null) {
      delete out[key];
      continue;
    }
    const child = memberNode(node, key);
    out[key] =
      child.kind === 'list' && Array.isArray(value)
        ? mergeList(out[key], value, child)
        : applyStrategicMergePatch(out[key], value, child.kind === 'list' ? UNTYPED : child);
  }
  for (const [field, order] of orders) {
    const node2 = memberNode(node, field);
    const list = out[field];
    if (Array.isArray(list) && node2.kind === 'list') out[field] = reorder(list, order, node2.patchMergeKey);
  }
  if (retain) for (const key of Object.keys(out)) if (!retain.has(key)) delete out[key];
  return out;
}

function mergeList(current: JsonValue | undefined, patch: JsonValue[], node: Extract<SchemaNode, { kind: 'list' }>): JsonValue {
  const strategies = node.patchStrategy?.split(',') ?? [];
  if (!strategies.includes('merge')) return cloneJson(patch.filter((i) => !(isJsonObject(i) && i['$patch'])));
  const base = Array.isArray(current) ? [...current] : [];
  const key = node.patchMergeKey;
  if (!key) {
    for (const v of patch) if (!base.some((b) => deepEqual(b, v))) base.push(cloneJson(v));
    return base;
  }
  if (patch.some((i) => isJsonObject(i) && i['$patch'] === 'replace')) {
    return cloneJson(patch.filter((i) => !(isJsonObject(i) && i['$patch'] === 'replace')));
  }
  for (const item of patch) {
    if (!isJsonObject(item)) continue;
    const index = base.findIndex((b) => isJsonObject(b) && deepEqual(b[key], item[key]));
    if (item['$patch'] === 'delete') {
      if (index >= 0) base.splice(index, 1);
      continue;
    }
    if (index >= 0) base[index] = applyStrategicMergePatch(base[index], item, node.elem);
    else base.push(applyStrategicMergePatch(undefined, item, node.elem));
  }
  return base;
}

function reorder(list: JsonValue[], order: JsonValue[], key: string | undefined): JsonValue[] {
  const position = (item: JsonValue): number =>
    order.findIndex((o) => (key && isJsonObject(o) && isJsonObject(item) ? deepEqual(o[key], item[key]) : deepEqual(o, item)));
  return [...list].sort((a, b) => {
    const [pa, pb] = [position(a), position(b)];
    // Items the order does not mention keep their relative place after the ordered ones.
    if (pa < 0 || pb < 0) return pa < 0 && pb < 0 ? 0 : pa < 0 ? 1 : -1;
    return pa - pb;
  });
}

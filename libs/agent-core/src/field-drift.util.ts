import type { KubeObject } from '@flotilla/cluster-client';
import { matchesObjectTarget, type ApplyPolicy } from '@flotilla/manifest';
import type { FieldDrift } from './reconciler.types.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonMap = { [key: string]: Json };

/** A step of a path through the live object, as managedFields (FieldsV1) name it. */
type FieldStep = { key: string } | { element: Json; index: number };

interface ManagedEntry {
  manager?: string;
  operation?: string;
  subresource?: string;
  fieldsV1?: JsonMap;
}

/** What Secret values turn into in every report: values never leave the cluster (design.md §6). */
export const REDACTED = '"(changed)"';

/** Fields a bundle cannot meaningfully declare, or that identify rather than configure the object. */
const SKIPPED_TOP = new Set(['apiVersion', 'kind', 'status']);
const SKIPPED_META = new Set(['name', 'namespace', 'managedFields', 'resourceVersion', 'uid', 'generation', 'creationTimestamp']);
/** Fields that identify an item of a list of objects, tried in this order (merge keys of the built-in kinds). */
const ITEM_KEYS = ['name', 'containerPort', 'port', 'mountPath', 'devicePath', 'key', 'ip', 'type', 'topologyKey'];

const isMap = (v: unknown): v is JsonMap => typeof v === 'object' && v !== null && !Array.isArray(v);

/** JSON with sorted keys, so equal values compare equal whatever order the server wrote them in. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isMap(value)) return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  return JSON.stringify(value ?? null);
}

function pointerEscape(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function itemKeyOf(item: Json): string | undefined {
  return isMap(item) ? ITEM_KEYS.find((k) => item[k] !== undefined && !isMap(item[k]) && !Array.isArray(item[k])) : undefined;
}

function matchItem(list: Json | undefined, item: Json, index: number): { value: Json; index: number } | undefined {
  if (!Array.isArray(list)) return undefined;
  const key = itemKeyOf(item);
  if (key === undefined) return index < list.length ? { value: list[index]!, index } : undefined;
  const found = list.findIndex((candidate) => isMap(candidate) && canonical(candidate[key]) === canonical((item as JsonMap)[key]));
  return found < 0 ? undefined : { value: list[found]!, index: found };
}

/**
 * The fields the bundle declares whose live value differs from what applying the bundle would
 * make it (the forced dry-run result `preview`, which carries the server's defaulting, so "500m"
 * vs "0.5" is no drift). Paths are JSON pointers into the manifest; list items are matched by their
 * merge key (containers by name, ports by port). Undeclared fields are never drift.
 */
export function declaredDrift(desired: KubeObject, preview: KubeObject, live: KubeObject, ownManager: string): FieldDrift[] {
  const out: FieldDrift[] = [];
  const managed = (live.metadata.managedFields ?? []) as ManagedEntry[];
  const secret = desired.kind === 'Secret' && desired.apiVersion === 'v1';
  const walk = (want: Json, dry: Json | undefined, have: Json | undefined, path: string[], steps: FieldStep[]): void => {
    if (dry === undefined) return; // the server does not keep this field: nothing to compare.
    if (isMap(want) && isMap(dry)) {
      for (const key of Object.keys(want)) {
        const depth = path.length;
        if (depth === 0 && SKIPPED_TOP.has(key)) continue;
        if (depth === 1 && path[0] === 'metadata' && SKIPPED_META.has(key)) continue;
        walk(want[key]!, dry[key], isMap(have) ? have[key] : undefined, [...path, key], [...steps, { key }]);
      }
      return;
    }
    if (Array.isArray(want) && Array.isArray(dry) && want.every(isMap) && want.length > 0) {
      want.forEach((item, index) => {
        const inDry = matchItem(dry, item, index);
        const inLive = matchItem(have, item, index);
        if (!inDry) return;
        if (!inLive) {
          out.push(entry([...path, String(index)], undefined, inDry.value, steps));
          return;
        }
        walk(item, inDry.value, inLive.value, [...path, String(index)], [...steps, { element: inLive.value, index: inLive.index }]);
      });
      return;
    }
    if (canonical(dry) !== canonical(have)) out.push(entry(path, have, dry, steps));
  };
  const entry = (path: string[], have: Json | undefined, dry: Json, steps: FieldStep[]): FieldDrift => {
    const hidden = secret && (path[0] === 'data' || path[0] === 'stringData');
    return {
      path: `/${path.map(pointerEscape).join('/')}`,
      liveJson: hidden ? REDACTED : have === undefined ? 'null' : canonical(have),
      desiredJson: hidden ? REDACTED : canonical(dry),
      manager: ownerOf(managed, steps, ownManager) ?? '',
    };
  };
  const wanted = desired as unknown as JsonMap;
  if (secret && isMap(wanted['stringData'])) {
    // The server folds stringData into data: compare what the bundle declares there.
    const data = Object.fromEntries(Object.keys(wanted['stringData']).map((k) => [k, '']));
    walk({ data } as JsonMap, preview as unknown as JsonMap, live as unknown as JsonMap, [], []);
  }
  walk(wanted, preview as unknown as JsonMap, live as unknown as JsonMap, [], []);
  return out;
}

/** The manager (other than ours when another owns it) whose FieldsV1 holds the path; undefined when nobody does. */
export function ownerOf(managed: readonly ManagedEntry[], steps: readonly FieldStep[], ownManager: string): string | undefined {
  const owners = managed.filter((m) => m.subresource !== 'status').filter((m) => owns(m.fieldsV1, steps)).map((m) => m.manager ?? '');
  return owners.find((m) => m !== ownManager) ?? owners[0];
}

function owns(fields: JsonMap | undefined, steps: readonly FieldStep[]): boolean {
  let node: Json | undefined = fields;
  for (const step of steps) {
    if (!isMap(node)) return false;
    if ('key' in step) {
      node = node[`f:${step.key}`];
      continue;
    }
    const current: JsonMap = node;
    const match = Object.keys(current).find((k) => {
      if (k.startsWith('k:')) {
        const keys = JSON.parse(k.slice(2)) as JsonMap;
        return isMap(step.element) && Object.entries(keys).every(([name, value]) => canonical((step.element as JsonMap)[name]) === canonical(value));
      }
      if (k.startsWith('v:')) return canonical(JSON.parse(k.slice(2))) === canonical(step.element);
      return k === `i:${step.index}`;
    });
    node = match === undefined ? undefined : current[match];
  }
  return node !== undefined;
}

/** Drops drift at (or below) a path the policy's `ignore` lists for this object. */
export function withoutIgnored(object: KubeObject, drift: readonly FieldDrift[], policy: Pick<ApplyPolicy, 'ignore'>): FieldDrift[] {
  const ignored = policy.ignore.filter((rule) => matchesObjectTarget(object, rule.target)).flatMap((rule) => rule.paths);
  return drift.filter((d) => !ignored.some((p) => d.path === p || d.path.startsWith(`${p}/`)));
}

/** A Secret's values as a report may show them: every data/stringData value replaced (design.md §6). */
export function redactedForReport(object: KubeObject): KubeObject {
  if (object.kind !== 'Secret') return object;
  const copy = { ...object } as Record<string, unknown>;
  for (const field of ['data', 'stringData']) {
    const values = copy[field];
    if (isMap(values)) copy[field] = Object.fromEntries(Object.keys(values).map((k) => [k, '(changed)']));
  }
  return copy as KubeObject;
}

/**
 * Whether `manager` owns the field at a path of map keys: true/false, or undefined when the path
 * crosses a list (items are named by keys the path does not carry) and ownership cannot be told.
 */
export function ownsPointer(managedFields: readonly unknown[], segments: readonly string[], manager: string): boolean | undefined {
  if (segments.some((s) => /^\d+$/.test(s))) return undefined;
  const entries = (managedFields as ManagedEntry[]).filter((m) => m.manager === manager && m.subresource !== 'status');
  return entries.some((m) => owns(m.fieldsV1, segments.map((key) => ({ key }))));
}

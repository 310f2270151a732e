import { FieldSet, type FieldsV1 } from '../fields/field-set.js';

/** One `metadata.managedFields` entry as the API serves it. */
export interface ManagedFieldsEntry {
  readonly manager: string;
  readonly operation: 'Apply' | 'Update';
  readonly apiVersion: string;
  readonly time?: string;
  readonly fieldsType: 'FieldsV1';
  readonly fieldsV1: FieldsV1;
  readonly subresource?: string;
}

/** A manager's ownership while an operation is computed: identity plus a mutable field set. */
export interface ManagerFields {
  readonly manager: string;
  readonly operation: 'Apply' | 'Update';
  apiVersion: string;
  time?: string;
  readonly subresource?: string;
  set: FieldSet;
}

/**
 * The identity upstream keys managers by (`BuildManagerIdentifier`): the entry without time and
 * fields, and without apiVersion for appliers, JSON-encoded in Go's field order. Sorting these
 * strings reproduces upstream's manager order in conflict messages.
 */
export function managerIdentity(m: {
  manager: string;
  operation: string;
  apiVersion?: string;
  subresource?: string;
}): string {
  const id: Record<string, string> = { manager: m.manager, operation: m.operation };
  if (m.operation !== 'Apply' && m.apiVersion) id['apiVersion'] = m.apiVersion;
  if (m.subresource) id['subresource'] = m.subresource;
  return JSON.stringify(id);
}

/** Upstream's `printManager`: `"name"`, `"name" with subresource "status"`, `... using apps/v1`. */
export function describeManager(m: ManagerFields): string {
  let text = JSON.stringify(m.manager);
  if (m.subresource) text += ` with subresource ${JSON.stringify(m.subresource)}`;
  if (m.operation === 'Update') text += ` using ${m.apiVersion}`;
  return text;
}

export function decodeManagedFields(entries: unknown): Map<string, ManagerFields> {
  const out = new Map<string, ManagerFields>();
  if (!Array.isArray(entries)) return out;
  for (const raw of entries as Partial<ManagedFieldsEntry>[]) {
    if (!raw || typeof raw.manager !== 'string' || (raw.operation !== 'Apply' && raw.operation !== 'Update')) continue;
    const entry: ManagerFields = {
      manager: raw.manager,
      operation: raw.operation,
      apiVersion: raw.apiVersion ?? '',
      time: raw.time,
      subresource: raw.subresource,
      set: FieldSet.fromFieldsV1(raw.fieldsV1),
    };
    out.set(managerIdentity(entry), entry);
  }
  return out;
}

/** Encodes managers for storage, dropping empty ones, in upstream's order (Apply first, then by time, manager). */
export function encodeManagedFields(managers: Map<string, ManagerFields>): ManagedFieldsEntry[] {
  return [...managers.values()]
    .filter((m) => !m.set.isEmpty())
    .sort(
      (a, b) =>
        a.operation.localeCompare(b.operation) ||
        (a.time ?? '').localeCompare(b.time ?? '') ||
        a.manager.localeCompare(b.manager) ||
        a.apiVersion.localeCompare(b.apiVersion) ||
        (a.subresource ?? '').localeCompare(b.subresource ?? ''),
    )
    .map((m) => ({
      manager: m.manager,
      operation: m.operation,
      apiVersion: m.apiVersion,
      ...(m.time ? { time: m.time } : {}),
      fieldsType: 'FieldsV1' as const,
      fieldsV1: m.set.toFieldsV1(),
      ...(m.subresource ? { subresource: m.subresource } : {}),
    }));
}

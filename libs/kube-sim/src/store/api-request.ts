import type { JsonObject } from '../fields/json-value.util.js';
import type { ResourceType } from '../schema/resource-type.js';
import type { ErrorTarget } from './api-status.error.js';

/** Addresses one resource collection or object, optionally a subresource of it. */
export interface ObjectRef {
  readonly type: ResourceType;
  readonly namespace?: string;
  readonly name?: string;
  readonly subresource?: string;
}

/** Options common to every write; `dryRun` runs every stage but stores nothing. */
export interface WriteOptions {
  readonly dryRun?: boolean;
  readonly fieldManager?: string;
  readonly fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
  /** Used to derive a field manager when none is given, as upstream does from the User-Agent. */
  readonly userAgent?: string;
}

/** Options of a server-side apply. */
export interface ApplyOptions extends WriteOptions {
  readonly force?: boolean;
}

/** The four PATCH flavours the API server accepts. */
export type PatchType = 'apply' | 'merge' | 'json' | 'strategic';

/** The outcome of a write: the resulting object, whether it was created (201), and warnings to send. */
export interface WriteResult {
  readonly object: JsonObject;
  readonly created: boolean;
  readonly warnings: readonly string[];
}

/** Options of a delete; `preconditions` turn a stale delete into a 409. */
export interface DeleteOptions {
  readonly dryRun?: boolean;
  readonly propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  readonly preconditions?: { readonly uid?: string; readonly resourceVersion?: string };
}

/** The outcome of a delete: `finished` is false when finalizers keep the object (HTTP 202). */
export interface DeleteResult {
  readonly object: JsonObject;
  readonly finished: boolean;
}

/** Options of list and watch, as the query string carries them. */
export interface ListOptions {
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly limit?: number;
  readonly continue?: string;
  readonly resourceVersion?: string;
}

/** List options plus the watch-only flags (bookmarks, initial events, server-side timeout). */
export interface WatchOptions extends ListOptions {
  readonly allowWatchBookmarks?: boolean;
  readonly sendInitialEvents?: boolean;
  readonly timeoutSeconds?: number;
}

export function targetOf(ref: ObjectRef, name = ref.name): ErrorTarget {
  return { group: ref.type.group, resource: ref.type.plural, name };
}

export function metadataOf(obj: JsonObject | undefined): JsonObject {
  const meta = obj?.['metadata'];
  return meta !== null && typeof meta === 'object' && !Array.isArray(meta) ? meta : {};
}

/** Upstream derives a missing field manager from the User-Agent up to the first `/` (e.g. `kubectl`). */
export function managerName(options: WriteOptions): string {
  if (options.fieldManager) return options.fieldManager;
  const agent = options.userAgent?.split('/')[0]?.trim();
  return agent || 'unknown';
}

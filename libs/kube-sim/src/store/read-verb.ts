import type { JsonObject } from '../fields/json-value.util.js';
import { apiVersionOf, resourceKey } from '../schema/resource-type.js';
import { badRequest, gone, notFound } from './api-status.error.js';
import { metadataOf, targetOf, type ListOptions, type ObjectRef } from './api-request.js';
import type { ClusterState } from './cluster-state.js';
import { matchesFields, parseFieldSelector } from './field-selector.js';
import { matchesLabels, parseLabelSelector } from './label-selector.js';

export function getObject(state: ClusterState, ref: ObjectRef): JsonObject {
  const obj = state.get(ref.type, ref.namespace, ref.name ?? '');
  if (!obj) throw notFound(targetOf(ref));
  return obj;
}

/** A predicate for list/watch built from the label and field selectors (parse errors are 400s). */
export function selectorPredicate(options: ListOptions): (obj: JsonObject) => boolean {
  const labels = parseLabelSelector(options.labelSelector);
  const fields = parseFieldSelector(options.fieldSelector);
  return (obj) => {
    const meta = metadataOf(obj);
    return (
      matchesLabels(labels, meta['labels'] as Record<string, unknown> | undefined) &&
      matchesFields(fields, meta['name'] as string, meta['namespace'] as string | undefined)
    );
  };
}

interface ContinueToken {
  readonly rv: number;
  readonly start: string;
}

function encodeContinue(token: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: token.rv, start: token.start })).toString('base64');
}

function decodeContinue(raw: string): ContinueToken {
  try {
    const parsed = JSON.parse(Buffer.from(raw, 'base64').toString('utf8')) as { v?: string; rv?: number; start?: string };
    if (parsed.v === 'meta.k8s.io/v1' && typeof parsed.rv === 'number' && typeof parsed.start === 'string') return { rv: parsed.rv, start: parsed.start };
  } catch {
    // falls through to the same 400 upstream returns for any undecodable token
  }
  throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}

function keyOf(obj: JsonObject): string {
  const meta = metadataOf(obj);
  return `${(meta['namespace'] as string | undefined) ?? ''}/${meta['name'] as string}`;
}

/**
 * The objects as they were at `resourceVersion`: the current ones with every later event of the
 * resource undone. Every page of a paginated list reads this one snapshot, as etcd serves it;
 * once the history is compacted the continue token has expired (410).
 */
function objectsAt(state: ClusterState, ref: ObjectRef, resourceVersion: number): JsonObject[] {
  const later = state.hub.eventsAfter(resourceVersion, resourceKey(ref.type));
  if (!later) {
    throw gone(
      'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
    );
  }
  const byKey = new Map(state.list(ref.type, ref.namespace).map((o) => [keyOf(o), o]));
  for (const event of [...later].reverse()) {
    if (ref.type.namespaced && ref.namespace !== undefined && event.namespace !== ref.namespace) continue;
    if (event.type === 'ADDED') byKey.delete(keyOf(event.object));
    else if (event.previous) byKey.set(keyOf(event.previous), event.previous);
  }
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, o]) => o);
}

/**
 * LIST with selectors and pagination. Items come in storage-key order; `limit` cuts a page and
 * returns a `continue` token (and remainingItemCount) that resumes after the last key. Items of
 * built-in lists carry no apiVersion/kind, as the real server encodes typed lists.
 */
export function listObjects(state: ClusterState, ref: ObjectRef, options: ListOptions): JsonObject {
  const matches = selectorPredicate(options);
  const token = options.continue ? decodeContinue(options.continue) : undefined;
  const snapshot = token ? objectsAt(state, ref, token.rv) : state.list(ref.type, ref.namespace);
  let items = snapshot.filter(matches);
  if (token) items = items.filter((o) => keyOf(o) > token.start);
  const limit = options.limit && options.limit > 0 ? options.limit : undefined;
  const page = limit ? items.slice(0, limit) : items;
  const rest = items.length - page.length;
  const resourceVersion = token?.rv ?? state.resourceVersion;
  const metadata: JsonObject = { resourceVersion: String(resourceVersion) };
  if (limit && rest > 0) {
    metadata['continue'] = encodeContinue({ rv: resourceVersion, start: keyOf(page[page.length - 1]!) });
    metadata['remainingItemCount'] = rest;
  }
  const shown = ref.type.custom
    ? page
    : page.map((o) => {
        const copy = { ...o };
        delete copy['apiVersion'];
        delete copy['kind'];
        return copy;
      });
  return { apiVersion: apiVersionOf(ref.type), kind: ref.type.listKind, metadata, items: shown };
}

import type { JsonValue } from '../fields/json-value.util.js';
import { isJsonObject } from '../fields/json-value.util.js';
import type { DeleteOptions, PatchType, WatchOptions, WriteOptions } from '../store/api-request.js';
import { badRequest, unsupportedMediaType } from '../store/api-status.error.js';

function bool(value: string | null): boolean {
  return value === 'true' || value === '1';
}

/** dryRun must be `All` when present, as upstream validates it. */
function dryRunOf(query: URLSearchParams): boolean {
  const values = query.getAll('dryRun');
  if (values.some((v) => v !== 'All')) throw badRequest(`Invalid dryRun: only "All" is supported, got ${JSON.stringify(values)}`);
  return values.length > 0;
}

export function writeOptions(query: URLSearchParams, userAgent: string | undefined): WriteOptions & { force: boolean } {
  const validation = query.get('fieldValidation');
  if (validation !== null && !['Strict', 'Warn', 'Ignore'].includes(validation)) {
    throw badRequest(`fieldValidation: Unsupported value: "${validation}": supported values: "Ignore", "Strict", "Warn"`);
  }
  const manager = query.get('fieldManager') ?? undefined;
  if (manager !== undefined && manager.length > 128) throw badRequest('fieldManager: Too long: may not be more than 128 bytes');
  return {
    dryRun: dryRunOf(query),
    fieldManager: manager,
    fieldValidation: (validation as WriteOptions['fieldValidation']) ?? undefined,
    userAgent,
    force: bool(query.get('force')),
  };
}

export function listOptions(query: URLSearchParams): WatchOptions {
  const limit = query.get('limit');
  const timeout = query.get('timeoutSeconds');
  if (limit !== null && !/^\d+$/.test(limit)) throw badRequest(`invalid limit: ${limit}`);
  return {
    labelSelector: query.get('labelSelector') ?? undefined,
    fieldSelector: query.get('fieldSelector') ?? undefined,
    limit: limit !== null ? Number(limit) : undefined,
    continue: query.get('continue') ?? undefined,
    resourceVersion: query.get('resourceVersion') ?? undefined,
    allowWatchBookmarks: bool(query.get('allowWatchBookmarks')),
    sendInitialEvents: bool(query.get('sendInitialEvents')),
    timeoutSeconds: timeout !== null && /^\d+$/.test(timeout) ? Number(timeout) : undefined,
  };
}

/** DELETE options from the query and the optional DeleteOptions body (the body wins, as upstream). */
export function deleteOptions(query: URLSearchParams, body: JsonValue | undefined): DeleteOptions {
  const fromBody = isJsonObject(body) ? body : {};
  const dryRunBody = Array.isArray(fromBody['dryRun']) && fromBody['dryRun'].includes('All');
  const pre = isJsonObject(fromBody['preconditions']) ? fromBody['preconditions'] : {};
  const policy = (fromBody['propagationPolicy'] ?? query.get('propagationPolicy') ?? undefined) as DeleteOptions['propagationPolicy'];
  return {
    dryRun: dryRunOf(query) || dryRunBody,
    propagationPolicy: policy,
    preconditions: {
      uid: typeof pre['uid'] === 'string' ? pre['uid'] : undefined,
      resourceVersion: typeof pre['resourceVersion'] === 'string' ? pre['resourceVersion'] : undefined,
    },
  };
}

/** Maps a PATCH Content-Type to its patch flavour; anything else is 415, as upstream. */
export function patchTypeOf(contentType: string): PatchType {
  const base = contentType.split(';')[0]!.trim().toLowerCase();
  switch (base) {
    case 'application/apply-patch+yaml':
      return 'apply';
    case 'application/merge-patch+json':
      return 'merge';
    case 'application/json-patch+json':
      return 'json';
    case 'application/strategic-merge-patch+json':
      return 'strategic';
    default:
      throw unsupportedMediaType(contentType);
  }
}

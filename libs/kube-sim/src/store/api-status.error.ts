/** One cause inside a Status (field validation errors, apply conflicts). */
export interface StatusCause {
  readonly type?: string;
  readonly message?: string;
  readonly field?: string;
}

/** A `meta.k8s.io/v1` Status as the API server returns it on failure: code, reason, message, details. */
export interface KubeStatus {
  readonly kind: 'Status';
  readonly apiVersion: 'v1';
  readonly metadata: Record<string, never>;
  readonly status: 'Failure' | 'Success';
  readonly message: string;
  readonly reason: string;
  readonly details?: {
    readonly name?: string;
    readonly group?: string;
    readonly kind?: string;
    readonly uid?: string;
    readonly causes?: readonly StatusCause[];
    readonly retryAfterSeconds?: number;
  };
  readonly code: number;
}

/** Identifies a resource in error details: `group` and the plural `kind` the real server reports. */
export interface ErrorTarget {
  readonly group: string;
  readonly resource: string;
  readonly name?: string;
}

/** An API failure carrying the exact Status the HTTP layer sends; thrown by every kube-sim verb. */
export class KubeApiError extends Error {
  constructor(readonly status: KubeStatus) {
    super(status.message);
    this.name = 'KubeApiError';
  }

  get code(): number {
    return this.status.code;
  }

  get reason(): string {
    return this.status.reason;
  }
}

function qualified(target: ErrorTarget): string {
  return target.group ? `${target.resource}.${target.group}` : target.resource;
}

function failure(code: number, reason: string, message: string, details?: KubeStatus['details']): KubeApiError {
  return new KubeApiError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  });
}

function targetDetails(target: ErrorTarget): KubeStatus['details'] {
  return {
    ...(target.name !== undefined ? { name: target.name } : {}),
    ...(target.group ? { group: target.group } : {}),
    kind: target.resource,
  };
}

export function notFound(target: ErrorTarget): KubeApiError {
  const what = target.name !== undefined ? `${qualified(target)} "${target.name}" not found` : `${qualified(target)} not found`;
  return failure(404, 'NotFound', what, targetDetails(target));
}

export function alreadyExists(target: ErrorTarget): KubeApiError {
  return failure(409, 'AlreadyExists', `${qualified(target)} "${target.name}" already exists`, targetDetails(target));
}

export function conflict(target: ErrorTarget, why: string): KubeApiError {
  return failure(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualified(target)} "${target.name}": ${why}`,
    targetDetails(target),
  );
}

/** 422 Invalid; the message lists the causes as upstream's `errors.NewInvalid` does. */
export function invalid(kind: string, group: string, name: string, causes: readonly StatusCause[]): KubeApiError {
  const kindGroup = group ? `${kind}.${group}` : kind;
  const list = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message ?? ''));
  const summary = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
  return failure(422, 'Invalid', `${kindGroup} "${name}" is invalid: ${summary}`, {
    name,
    ...(group ? { group } : {}),
    kind,
    causes,
  });
}

export function badRequest(message: string): KubeApiError {
  return failure(400, 'BadRequest', message);
}

export function forbidden(target: ErrorTarget, why: string): KubeApiError {
  return failure(403, 'Forbidden', `${qualified(target)} "${target.name ?? ''}" is forbidden: ${why}`, targetDetails(target));
}

export function methodNotAllowed(message = 'the server does not allow this method on the requested resource'): KubeApiError {
  return failure(405, 'MethodNotAllowed', message);
}

export function gone(message: string): KubeApiError {
  return failure(410, 'Expired', message);
}

export function unauthorized(): KubeApiError {
  return failure(401, 'Unauthorized', 'Unauthorized');
}

export function notAcceptable(message: string): KubeApiError {
  return failure(406, 'NotAcceptable', message);
}

export function unsupportedMediaType(contentType: string): KubeApiError {
  return failure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got ${contentType})`);
}

export function tooLarge(): KubeApiError {
  return failure(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728');
}

export function internalError(message: string): KubeApiError {
  return failure(500, 'InternalError', `Internal error occurred: ${message}`);
}

export function serviceUnavailable(message: string): KubeApiError {
  return failure(503, 'ServiceUnavailable', message);
}

/** A conflict with explicit causes (server-side apply), exactly as `errors.NewApplyConflict` builds it. */
export function applyConflict(message: string, causes: readonly StatusCause[]): KubeApiError {
  return failure(409, 'Conflict', message, { causes });
}

/** The generic 404 for a path nothing serves (unknown group, version or resource). */
export function pathNotFound(): KubeApiError {
  return failure(404, 'NotFound', 'the server could not find the requested resource', {});
}

/** 429 with a retry hint, as API priority and fairness answers an overloaded server. */
export function tooManyRequests(message: string, retryAfterSeconds = 1): KubeApiError {
  return failure(429, 'TooManyRequests', message, { retryAfterSeconds });
}

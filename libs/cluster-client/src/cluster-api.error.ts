/** The upstream `Status` of a failed API call, as far as the server sent one. */
export interface ClusterApiStatus {
  readonly code: number;
  readonly reason?: string;
  readonly message?: string;
}

/**
 * A failed API call of `KubernetesClusterClient`: `code` is the HTTP status (404, 409, 410, …) and
 * `message` the server's own wording, the same shape kube-sim's `KubeApiError` has, so callers can
 * handle either implementation through `statusCodeOf`.
 */
export class ClusterApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly reason?: string,
  ) {
    super(message);
    this.name = 'ClusterApiError';
  }
}

/** The HTTP status an error of any ClusterClient carries, or undefined (network errors, bugs). */
export function statusCodeOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
}

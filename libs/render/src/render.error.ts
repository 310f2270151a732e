export enum RenderErrorCode {
  InvalidSpec = 'INVALID_SPEC',
  InvalidManifest = 'INVALID_MANIFEST',
  Template = 'TEMPLATE',
  Patch = 'PATCH',
  Conflict = 'CONFLICT',
  Limit = 'LIMIT',
  Kustomize = 'KUSTOMIZE',
  Timeout = 'TIMEOUT',
}

/** Where in the bundle a problem is: a file, and a line and column when known (1-based). */
export interface SourceLocation {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
}

/**
 * Everything that can go wrong turning a bundle into manifests. The message already says where
 * (`file:line:column: reason`), so it can be shown to a person as it is.
 */
export class RenderError extends Error {
  override readonly name = 'RenderError';

  constructor(
    readonly code: RenderErrorCode,
    readonly reason: string,
    readonly location?: SourceLocation,
  ) {
    super(location ? `${formatLocation(location)}: ${reason}` : reason);
  }
}

/** A flotilla.yaml that does not validate; every problem is listed, each with its own location. */
export class BundleSpecError extends RenderError {
  constructor(readonly issues: readonly { readonly location: SourceLocation; readonly path: string; readonly reason: string }[]) {
    super(
      RenderErrorCode.InvalidSpec,
      issues.map((issue) => `${formatLocation(issue.location)}: ${issue.path ? `${issue.path}: ` : ''}${issue.reason}`).join('\n'),
    );
  }
}

export function formatLocation(location: SourceLocation): string {
  return [location.file, location.line, location.column].filter((part) => part !== undefined).join(':');
}

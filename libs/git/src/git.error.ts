/** What went wrong with a repository, its fetch or its content; stable for callers to branch on. */
export enum GitErrorCode {
  InvalidUrl = 'INVALID_URL',
  InvalidRef = 'INVALID_REF',
  InvalidPath = 'INVALID_PATH',
  InvalidCredentials = 'INVALID_CREDENTIALS',
  FetchFailed = 'FETCH_FAILED',
  FetchTimeout = 'FETCH_TIMEOUT',
  RepositoryTooLarge = 'REPOSITORY_TOO_LARGE',
  RefNotFound = 'REF_NOT_FOUND',
  PathNotFound = 'PATH_NOT_FOUND',
  Submodule = 'SUBMODULE',
  Lfs = 'LFS',
  SymlinkEscape = 'SYMLINK_ESCAPE',
  UnsupportedSymlink = 'UNSUPPORTED_SYMLINK',
  LimitExceeded = 'LIMIT_EXCEEDED',
  ReadFailed = 'READ_FAILED',
}

/** Which bound of a tree snapshot was crossed. */
export type TreeLimitName = 'maxFiles' | 'maxFileBytes' | 'maxTotalBytes';

export interface GitErrorDetails {
  /** The repository path (relative to the repository root) the error is about. */
  readonly path?: string;
  /** The limit crossed, for LimitExceeded. */
  readonly limit?: TreeLimitName;
}

/**
 * Every failure of @flotilla/git. The message names what was wrong and where (URL problem, ref,
 * path, limit) and never contains credentials.
 */
export class GitError extends Error {
  override readonly name = 'GitError';
  readonly path: string | undefined;
  readonly limit: TreeLimitName | undefined;

  constructor(
    readonly code: GitErrorCode,
    message: string,
    details: GitErrorDetails = {},
  ) {
    super(message);
    this.path = details.path;
    this.limit = details.limit;
  }
}

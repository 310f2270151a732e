/** Bounds on what one snapshot may hold; hostile repositories hit these, not the hub's memory. */
export interface TreeLimits {
  /** Files in the sub-path (default 10,000). */
  readonly maxFiles: number;
  /** Bytes of any one file (default 5 MiB). */
  readonly maxFileBytes: number;
  /** Bytes of all files together (default 50 MiB). */
  readonly maxTotalBytes: number;
}

export const DEFAULT_TREE_LIMITS: TreeLimits = Object.freeze({
  maxFiles: 10_000,
  maxFileBytes: 5 * 1024 * 1024,
  maxTotalBytes: 50 * 1024 * 1024,
});

/**
 * Exit codes scripts can rely on: 0 done, 1 the hub (or the database) refused or failed, 2 bad usage or
 * configuration, 3 cannot reach the hub or not authenticated, 130 a watch ended by Ctrl-C.
 */
export const EXIT = { failed: 1, usage: 2, unreachable: 3, interrupted: 130 } as const;

/** A failure the CLI reports on stderr and ends with an exit code from {@link EXIT}. */
export class CliError extends Error {
  override readonly name = 'CliError';

  constructor(
    message: string,
    readonly exitCode: 1 | 2 | 3 = 1,
    /** A passing condition (the hub restarting, its database away): a watch may try again. */
    readonly transient = false,
  ) {
    super(message);
  }
}

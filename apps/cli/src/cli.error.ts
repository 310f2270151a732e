/** A failure the CLI reports as one line and an exit code (2: bad usage or configuration, 1: failed). */
export class CliError extends Error {
  override readonly name = 'CliError';

  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }
}

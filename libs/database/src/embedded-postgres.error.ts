/** Why the embedded PostgreSQL could not be started, with what a person can do about it. */
export enum EmbeddedPostgresErrorCode {
  BinariesMissing = 'BINARIES_MISSING',
  PortInUse = 'PORT_IN_USE',
  DataDirNotWritable = 'DATA_DIR_NOT_WRITABLE',
  NoPostgresUser = 'NO_POSTGRES_USER',
  AlreadyRunning = 'ALREADY_RUNNING',
  InitFailed = 'INIT_FAILED',
  StartFailed = 'START_FAILED',
}

export class EmbeddedPostgresError extends Error {
  override readonly name = 'EmbeddedPostgresError';

  constructor(
    readonly code: EmbeddedPostgresErrorCode,
    message: string,
  ) {
    super(message);
  }
}

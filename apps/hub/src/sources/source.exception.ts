import { IntrinsicException } from '@nestjs/common';

export enum SourceExceptionCode {
  SourceNotFound = 'SOURCE_NOT_FOUND',
  SourceNameTaken = 'SOURCE_NAME_TAKEN',
  InvalidSourceInput = 'INVALID_SOURCE_INPUT',
}

/**
 * A request about sources that cannot be served as asked; mapped to GraphQL errors in
 * format-graphql-error.ts. Intrinsic: answered to the caller, not logged as a server error.
 * Messages never contain credentials.
 */
export class SourceException extends IntrinsicException {
  override readonly name = 'SourceException';

  constructor(
    readonly code: SourceExceptionCode,
    message: string,
    /** For InvalidSourceInput: the argument at fault, e.g. `input.url`. */
    readonly argument?: string,
  ) {
    super(argument ? `${argument}: ${message}` : message);
  }
}

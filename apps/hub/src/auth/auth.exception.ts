import { IntrinsicException } from '@nestjs/common';

export enum AuthExceptionCode {
  Unauthenticated = 'UNAUTHENTICATED',
  Forbidden = 'FORBIDDEN',
  TokenNotFound = 'TOKEN_NOT_FOUND',
}

/**
 * An authentication or authorisation failure; the GraphQL error formatter maps the code.
 * Intrinsic: an expected outcome of a request, answered to the caller, not logged as a server error.
 */
export class AuthException extends IntrinsicException {
  override readonly name = 'AuthException';

  constructor(
    readonly code: AuthExceptionCode,
    message: string,
  ) {
    super(message);
  }
}

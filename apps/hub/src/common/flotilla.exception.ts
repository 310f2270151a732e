import { IntrinsicException } from '@nestjs/common';

/**
 * Base of the hub's feature exceptions: an expected outcome answered to the caller (not logged as
 * a server error), with the GraphQL error code it maps to and details a client can act on.
 */
export abstract class FlotillaException extends IntrinsicException {
  abstract readonly graphqlCode: 'BAD_USER_INPUT' | 'NOT_FOUND' | 'CONFLICT' | 'FORBIDDEN' | 'FAILED_PRECONDITION';

  constructor(
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

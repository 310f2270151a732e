import { IntrinsicException } from '@nestjs/common';

/** The GraphQL error codes a feature exception maps to. */
export type GraphqlErrorCode = 'BAD_USER_INPUT' | 'NOT_FOUND' | 'CONFLICT' | 'FORBIDDEN' | 'FAILED_PRECONDITION';

/**
 * Base of the hub's feature exceptions: an expected outcome answered to the caller (not logged as
 * a server error), with the GraphQL error code it maps to and details a client can act on.
 */
export abstract class FlotillaException extends IntrinsicException {
  abstract readonly graphqlCode: GraphqlErrorCode;

  constructor(
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/**
 * A feature exception with a code from the feature's own enum, which decides its GraphQL code
 * (through the feature's table, total over the enum) and is sent as `details.reason` by default.
 */
export abstract class CodedFlotillaException<Code extends string> extends FlotillaException {
  readonly graphqlCode: GraphqlErrorCode;

  protected constructor(
    readonly code: Code,
    message: string,
    graphqlCodes: Readonly<Record<Code, GraphqlErrorCode>>,
    details: Record<string, unknown> = { reason: code },
  ) {
    super(message, details);
    this.graphqlCode = graphqlCodes[code];
  }
}

import { IntrinsicException } from '@nestjs/common';

/** A request argument is malformed; the message names the argument and what was expected; not logged as a server error. */
export class InvalidInputException extends IntrinsicException {
  override readonly name = 'InvalidInputException';

  constructor(
    readonly argument: string,
    message: string,
  ) {
    super(`${argument}: ${message}`);
  }
}

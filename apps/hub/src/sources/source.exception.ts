import { CodedFlotillaException } from '../common/flotilla.exception.js';

export enum SourceExceptionCode {
  SourceNotFound = 'SOURCE_NOT_FOUND',
  SourceNameTaken = 'SOURCE_NAME_TAKEN',
  InvalidSourceInput = 'INVALID_SOURCE_INPUT',
}

const GRAPHQL_CODES = {
  [SourceExceptionCode.SourceNotFound]: 'NOT_FOUND',
  [SourceExceptionCode.SourceNameTaken]: 'CONFLICT',
  [SourceExceptionCode.InvalidSourceInput]: 'BAD_USER_INPUT',
} as const;

/**
 * A request about sources that cannot be served as asked, answered to the caller (not logged as
 * a server error) through the shared FlotillaException mapping. Messages never contain credentials.
 */
export class SourceException extends CodedFlotillaException<SourceExceptionCode> {
  override readonly name = 'SourceException';

  constructor(
    code: SourceExceptionCode,
    message: string,
    /** For InvalidSourceInput: the argument at fault, e.g. `input.url`. */
    readonly argument?: string,
  ) {
    super(code, argument ? `${argument}: ${message}` : message, GRAPHQL_CODES, argument ? { argument } : {});
  }
}

import { CodedFlotillaException } from '../common/flotilla.exception.js';

export enum RegistrationExceptionCode {
  CertificateNotFound = 'CERTIFICATE_NOT_FOUND',
  InvalidSerial = 'CERTIFICATE_SERIAL_INVALID',
}

const GRAPHQL_CODES = {
  [RegistrationExceptionCode.CertificateNotFound]: 'NOT_FOUND',
  [RegistrationExceptionCode.InvalidSerial]: 'BAD_USER_INPUT',
} as const;

/** A request about agent identities that cannot be carried out; the message names the cluster and the certificate. */
export class RegistrationException extends CodedFlotillaException<RegistrationExceptionCode> {
  constructor(code: RegistrationExceptionCode, message: string) {
    super(code, message, GRAPHQL_CODES);
  }
}

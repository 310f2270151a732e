/** A certificate, key or signing request that cannot be used; the message says why. */
export class PkiError extends Error {
  override readonly name = 'PkiError';
}

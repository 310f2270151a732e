import { createHash, randomBytes } from 'node:crypto';

const TOKEN_PREFIX = 'flt_';

/** A freshly minted API token: the secret (shown once), its stored hash, and a display prefix. */
export interface MintedToken {
  readonly token: string;
  readonly hash: Buffer;
  readonly displayPrefix: string;
}

/**
 * Mints a bearer token with 256 bits of randomness. Only the SHA-256 hash is stored: the token is
 * already high-entropy, so a slow password hash would add latency to every request and no safety.
 */
export function mintApiToken(): MintedToken {
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashApiToken(token), displayPrefix: token.slice(0, TOKEN_PREFIX.length + 6) };
}

export function hashApiToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** Cheap shape check before any database lookup, so garbage headers never reach the database. */
export function looksLikeApiToken(token: string): boolean {
  return /^flt_[A-Za-z0-9_-]{43}$/.test(token);
}

export { DecryptionError, EncryptionKeyError, EncryptionKeyring } from './encryption-keyring.js';
export { hashApiToken, looksLikeApiToken, mintApiToken, type MintedToken } from './api-token.util.js';
export { canonicalJson, contentHash } from './canonical-json.js';

import { hashApiToken, looksLikeApiToken, mintApiToken } from './api-token.util.js';

describe('API tokens', () => {
  it('mints distinct well-formed tokens whose hash is reproducible', () => {
    const a = mintApiToken();
    const b = mintApiToken();
    expect(a.token).not.toBe(b.token);
    expect(looksLikeApiToken(a.token)).toBe(true);
    expect(hashApiToken(a.token).equals(a.hash)).toBe(true);
    expect(a.token.startsWith(a.displayPrefix)).toBe(true);
    expect(a.hash.length).toBe(32);
  });

  it.each(['', 'Bearer x', 'flt_short', `flt_${'a'.repeat(43)}!`, `xyz_${'a'.repeat(43)}`])('rejects %j', (input) => {
    expect(looksLikeApiToken(input)).toBe(false);
  });
});

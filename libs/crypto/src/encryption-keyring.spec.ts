import { DecryptionError, EncryptionKeyError, EncryptionKeyring } from './encryption-keyring.js';

describe('EncryptionKeyring', () => {
  const spec = EncryptionKeyring.generateSpec('k1');

  it('round-trips and binds the ciphertext to its context', () => {
    const ring = EncryptionKeyring.parse(spec);
    const sealed = ring.encrypt(Buffer.from('hunter2'), 'source:1:credentials');
    expect(sealed.includes(Buffer.from('hunter2'))).toBe(false);
    expect(ring.decrypt(sealed, 'source:1:credentials').toString()).toBe('hunter2');
    expect(() => ring.decrypt(sealed, 'source:2:credentials')).toThrow(DecryptionError);
  });

  it('uses a fresh IV each time', () => {
    const ring = EncryptionKeyring.parse(spec);
    expect(ring.encryptString('x', 'c')).not.toBe(ring.encryptString('x', 'c'));
  });

  it('rotates: the new primary encrypts, old keys still decrypt', () => {
    const old = EncryptionKeyring.parse(spec);
    const sealedOld = old.encryptString('secret', 'ctx');
    const rotated = EncryptionKeyring.parse(`${EncryptionKeyring.generateSpec('k2')},${spec}`);
    expect(rotated.primaryKeyId).toBe('k2');
    expect(rotated.decryptString(sealedOld, 'ctx')).toBe('secret');
    const sealedNew = rotated.encrypt(Buffer.from('secret'), 'ctx');
    expect(EncryptionKeyring.keyIdOf(sealedNew)).toBe('k2');
    expect(() => old.decrypt(sealedNew, 'ctx')).toThrow(/key "k2", which is not configured/);
  });

  it('detects tampering and truncation', () => {
    const ring = EncryptionKeyring.parse(spec);
    const sealed = ring.encrypt(Buffer.from('payload'), 'ctx');
    const flipped = Buffer.from(sealed);
    flipped[flipped.length - 1]! ^= 1;
    expect(() => ring.decrypt(flipped, 'ctx')).toThrow(/failed authentication/);
    expect(() => ring.decrypt(sealed.subarray(0, 10), 'ctx')).toThrow(/truncated/);
    expect(() => ring.decrypt(Buffer.from('garbage'), 'ctx')).toThrow(/bad header/);
  });

  it.each([
    ['', /empty/],
    ['nokeyid', /no key id/],
    ['Bad_Id:AAAA', /key id "Bad_Id"/],
    ['k1:not base64!', /not base64/],
    ['k1:AAAA', /expected 32 bytes, got 3/],
    [`${spec},${spec}`, /appears twice/],
  ])('refuses the spec %j with a clear reason', (input, reason) => {
    expect(() => EncryptionKeyring.parse(input)).toThrow(EncryptionKeyError);
    expect(() => EncryptionKeyring.parse(input)).toThrow(reason);
  });

  it('never echoes key material in errors', () => {
    const material = 'A'.repeat(40);
    try {
      EncryptionKeyring.parse(`k1:${material}`);
      throw new Error('expected a refusal');
    } catch (error) {
      expect(String(error)).not.toContain(material);
    }
  });
});

import { canonicalJson, contentHash } from './canonical-json.js';

describe('canonicalJson', () => {
  it.each<[unknown, string]>([
    [{ b: 1, a: [true, null, 'x'] }, '{"a":[true,null,"x"],"b":1}'],
    [{ nested: { z: 1, y: { b: 2, a: 1 } } }, '{"nested":{"y":{"a":1,"b":2},"z":1}}'],
    [{ skip: undefined, keep: 0 }, '{"keep":0}'],
    [[undefined, 1], '[null,1]'],
    ['é\n"', '"é\\n\\""'],
  ])('%j → %s', (value, text) => {
    expect(canonicalJson(value)).toBe(text);
  });

  it('hashes equal data equally, whatever the key order', () => {
    expect(contentHash({ a: 1, b: 2 })).toBe(contentHash({ b: 2, a: 1 }));
    expect(contentHash({ a: 1 })).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('refuses numbers JSON cannot hold', () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(TypeError);
  });
});

import type { JsonPatchOperation } from '@flotilla/manifest';
import { applyJsonPatch, JsonPatchError } from './json-patch.js';
import { applyMergePatch, mergeValues } from './merge-patch.js';

describe('applyJsonPatch (RFC 6902)', () => {
  const doc = { spec: { type: 'ClusterIP', ports: [{ port: 80 }, { port: 443 }] }, 'a/b': 1, 'm~n': 2 };

  it.each<[string, JsonPatchOperation[], unknown]>([
    ['replace', [{ op: 'replace', path: '/spec/type', value: 'LoadBalancer' }], { ...doc, spec: { ...doc.spec, type: 'LoadBalancer' } }],
    ['add to end', [{ op: 'add', path: '/spec/ports/-', value: { port: 8080 } }], { ...doc, spec: { ...doc.spec, ports: [{ port: 80 }, { port: 443 }, { port: 8080 }] } }],
    ['add inserts', [{ op: 'add', path: '/spec/ports/0', value: { port: 1 } }], { ...doc, spec: { ...doc.spec, ports: [{ port: 1 }, { port: 80 }, { port: 443 }] } }],
    ['remove', [{ op: 'remove', path: '/spec/ports/1' }], { ...doc, spec: { ...doc.spec, ports: [{ port: 80 }] } }],
    ['escaped tokens', [{ op: 'replace', path: '/a~1b', value: 9 }, { op: 'remove', path: '/m~0n' }], { spec: doc.spec, 'a/b': 9 }],
    ['move', [{ op: 'move', from: '/spec/type', path: '/type' }], { spec: { ports: doc.spec.ports }, type: 'ClusterIP', 'a/b': 1, 'm~n': 2 }],
    ['copy', [{ op: 'copy', from: '/spec/ports/0', path: '/first' }], { ...doc, first: { port: 80 } }],
    ['test passes', [{ op: 'test', path: '/spec/type', value: 'ClusterIP' }], doc],
  ])('%s', (_name, ops, expected) => {
    expect(applyJsonPatch(doc, ops)).toEqual(expected);
  });

  it.each<[JsonPatchOperation[], string]>([
    [[{ op: 'replace', path: '/spec/missing', value: 1 }], 'operation 0 (replace): "/spec/missing": the path does not exist'],
    [[{ op: 'remove', path: '/spec/ports/5' }], 'index 5 is out of bounds'],
    [[{ op: 'add', path: '/nope/deeper', value: 1 }], 'the path does not exist'],
    [[{ op: 'test', path: '/spec/type', value: 'NodePort' }], 'test of "/spec/type" failed'],
    [[{ op: 'move', from: '/spec', path: '/spec/inner' }], 'into itself'],
    [[{ op: 'add', path: '/spec/ports/01', value: 1 }], 'is not an array index'],
    [[{ op: 'add', path: '/spec/toString/x', value: 1 }], 'the path does not exist'],
  ])('refuses %j', (ops, message) => {
    expect(() => applyJsonPatch(doc, ops)).toThrow(JsonPatchError);
    expect(() => applyJsonPatch(doc, ops)).toThrow(message);
  });

  it('never modifies its input and cannot pollute prototypes', () => {
    const input = { a: { b: 1 } };
    const out = applyJsonPatch(input, [{ op: 'add', path: '/__proto__', value: { polluted: true } }]);
    expect(input).toEqual({ a: { b: 1 } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(out, '__proto__')).toBe(true);
  });
});

describe('applyMergePatch (RFC 7386)', () => {
  it.each([
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
  ])('RFC 7386 appendix A: %j + %j', (target, patch, expected) => {
    expect(applyMergePatch(target, patch)).toEqual(expected);
  });

  it('cannot pollute prototypes', () => {
    applyMergePatch({}, JSON.parse('{"__proto__": {"polluted": true}}'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('mergeValues', () => {
  it('merges objects deeply, replaces arrays and scalars, keeps nulls', () => {
    expect(mergeValues({ a: { b: 1, c: [1, 2] }, d: 'x' }, { a: { c: [3], e: null }, d: 'y' })).toEqual({ a: { b: 1, c: [3], e: null }, d: 'y' });
  });
});

import { cloneJson, deepEqual } from './json-value.util.js';

describe('cloneJson', () => {
  it('copies every level, so changing the copy leaves the original as it was', () => {
    const original = { kind: 'ConfigMap', metadata: { name: 'a', labels: { x: '1' } }, data: { list: [1, 'two', null, { deep: true }] }, n: 0, off: false };
    const copy = cloneJson(original);
    expect(copy).toEqual(original);
    copy.metadata.labels.x = '2';
    (copy.data.list[3] as { deep: boolean }).deep = false;
    copy.data.list.push(5);
    expect(original).toEqual({ kind: 'ConfigMap', metadata: { name: 'a', labels: { x: '1' } }, data: { list: [1, 'two', null, { deep: true }] }, n: 0, off: false });
  });

  it('keeps a __proto__ key from JSON.parse as a plain key, never as the copy’s prototype', () => {
    const parsed = JSON.parse('{"metadata": {"__proto__": {"polluted": true}, "name": "a"}}') as { metadata: Record<string, unknown> };
    const copy = cloneJson(parsed);
    expect(Object.getPrototypeOf(copy.metadata)).toBe(Object.prototype);
    expect(Object.keys(copy.metadata)).toEqual(['__proto__', 'name']);
    expect((copy.metadata as { polluted?: boolean }).polluted).toBeUndefined();
    expect(deepEqual(copy, parsed)).toBe(true);
  });

  it('returns scalars as they are', () => {
    expect([null, 1, 'x', true].map(cloneJson)).toEqual([null, 1, 'x', true]);
  });
});

import { pgArrayLiteral } from './pg-array-literal.util.js';

describe('pgArrayLiteral', () => {
  it.each([
    ['ids, numbers and enum names bare', ['7', '00000000-0000-4000-8000-000000000001', 'HEALTHY', 12, 5n], '{7,00000000-0000-4000-8000-000000000001,HEALTHY,12,5}'],
    ['an empty array', [], '{}'],
    ['the empty string quoted', [''], '{""}'],
    ['NULL for null, and the word null quoted', [null, 'NULL', 'null'], '{NULL,"NULL","null"}'],
    ['booleans as t/f', [true, false], '{t,f}'],
    ['dates in UTC ISO form', [new Date(Date.UTC(2026, 10, 22, 13, 40))], '{2026-11-22T13:40:00.000Z}'],
    ['delimiters and white space quoted', ['a,b', '{x}', 'two words', 'tab\there', 'line\nbreak'], '{"a,b","{x}","two words","tab\there","line\nbreak"}'],
    ['quotes and backslashes escaped', ['say "hi"', 'back\\slash'], '{"say \\"hi\\"","back\\\\slash"}'],
    ['non-ASCII quoted', ['zürich'], '{"zürich"}'],
  ])('writes %s', (_what, values, expected) => {
    expect(pgArrayLiteral(values)).toBe(expected);
  });
});

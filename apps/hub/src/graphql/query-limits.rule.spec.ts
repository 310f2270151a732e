import { buildSchema, parse, validate } from 'graphql';
import { queryLimitsRule } from './query-limits.rule.js';

const schema = buildSchema(`
  type Node { name: String, child: Node, children: [Node] }
  type Query { node: Node, a: String, b: String, c: String }
`);

function errors(query: string): string[] {
  return validate(schema, parse(query), [queryLimitsRule({ maxDepth: 4, maxAliases: 2, maxFields: 20, maxRootFields: 3 })]).map((e) => e.message);
}

describe('queryLimitsRule', () => {
  it('accepts an ordinary query', () => {
    expect(errors('{ node { name child { name } } a }')).toEqual([]);
  });

  it.each([
    ['{ node { child { child { child { child { name } } } } } }', 'the query is 6 levels deep; the limit is 4'],
    ['{ x: a y: b z: c }', 'the query uses 3 aliases; the limit is 2'],
    ['{ a b c node { name } }', 'the query asks for 4 root fields; the limit is 3'],
    [`{ node { ...F } } fragment F on Node { children { ...G } } fragment G on Node { child { child { name } } }`, 'levels deep'],
    [`{ node { ${Array.from({ length: 25 }, () => 'name').join(' ')} } }`, 'selects more than 20 fields'],
  ])('refuses %s', (query, message) => {
    expect(errors(query).join('\n')).toContain(message);
  });

  it('survives cyclic fragments (the standard rules report them)', () => {
    expect(() => errors('{ node { ...F } } fragment F on Node { child { ...F } }')).not.toThrow();
  });
});

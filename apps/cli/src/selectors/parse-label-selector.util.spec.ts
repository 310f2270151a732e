import { CliError } from '../cli.error.js';
import { parseLabelSelector } from './parse-label-selector.util.js';

describe('parseLabelSelector', () => {
  it.each([
    ['', {}],
    ['env=prod', { matchLabels: [{ key: 'env', value: 'prod' }] }],
    ['env==prod', { matchLabels: [{ key: 'env', value: 'prod' }] }],
    ['env=', { matchLabels: [{ key: 'env', value: '' }] }],
    ['env!=prod', { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] }],
    ['canary', { matchExpressions: [{ key: 'canary', operator: 'Exists' }] }],
    ['!canary', { matchExpressions: [{ key: 'canary', operator: 'DoesNotExist' }] }],
    [
      'env=prod,region in (eu-west,eu-central),!canary',
      {
        matchLabels: [{ key: 'env', value: 'prod' }],
        matchExpressions: [
          { key: 'region', operator: 'In', values: ['eu-west', 'eu-central'] },
          { key: 'canary', operator: 'DoesNotExist' },
        ],
      },
    ],
    [' tier notin ( a , b ) , flotilla.dev/ring = 1 ', {
      matchLabels: [{ key: 'flotilla.dev/ring', value: '1' }],
      matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['a', 'b'] }],
    }],
    // A second equality on one key cannot be a second matchLabels entry: it stays a requirement of its own.
    ['env=a,env=b', { matchLabels: [{ key: 'env', value: 'a' }], matchExpressions: [{ key: 'env', operator: 'In', values: ['b'] }] }],
    ['a,b', { matchExpressions: [{ key: 'a', operator: 'Exists' }, { key: 'b', operator: 'Exists' }] }],
  ])('parses %j', (text, expected) => {
    expect(parseLabelSelector(text)).toEqual(expected);
  });

  it.each([
    ['env=prod,region in (eu', 'expected "," or ")" in the "in" list, found the end at position 23'],
    ['region in eu', 'expected "(" after "in", found "eu" at position 11'],
    ['region in ()', 'expected a value in the "in" list, found ")" at position 12'],
    ['env=prod,', 'expected a requirement after "," at position 10'],
    [',env', 'expected a label key or "!key", found "," at position 1'],
    ['replicas>2', 'the operator ">" is not supported (use =, !=, in, notin, key or !key) at position 9'],
    ['env=prod env=dev', 'expected "," between requirements, found "env" at position 10'],
    ['env=pr*d', 'unexpected character "*" at position 7'],
    ['!', 'expected a label key after "!", found the end at position 2'],
    ['env=(x)', 'expected a value after "env=", found "(" at position 5'],
  ])('refuses %j naming the position', (text, message) => {
    let error: unknown;
    try {
      parseLabelSelector(text);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(2);
    expect((error as CliError).message.split('\n')[0]).toBe(`--selector: ${message}`);
  });

  it('points at the position under the selector', () => {
    expect(() => parseLabelSelector('a in (x', '-l')).toThrow('-l: expected "," or ")" in the "in" list, found the end at position 8\n  a in (x\n         ^');
  });
});

import { labelKeyProblem, labelSelectorSchema, labelValueProblem, matchesLabelSelector, type LabelSelector } from './label-selector.js';

const labels = { env: 'prod', region: 'eu-west', tier: '' };

describe('matchesLabelSelector (Kubernetes semantics)', () => {
  it.each<[string, LabelSelector, boolean]>([
    ['empty selector matches all', {}, true],
    ['matchLabels equal', { matchLabels: { env: 'prod' } }, true],
    ['matchLabels differ', { matchLabels: { env: 'dev' } }, false],
    ['matchLabels missing key', { matchLabels: { zone: 'a' } }, false],
    ['matchLabels empty value present', { matchLabels: { tier: '' } }, true],
    ['In hit', { matchExpressions: [{ key: 'region', operator: 'In', values: ['eu-west', 'eu-central'] }] }, true],
    ['In miss', { matchExpressions: [{ key: 'region', operator: 'In', values: ['us-east'] }] }, false],
    ['In on missing key', { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }, false],
    ['NotIn hit', { matchExpressions: [{ key: 'region', operator: 'NotIn', values: ['eu-west'] }] }, false],
    ['NotIn miss', { matchExpressions: [{ key: 'region', operator: 'NotIn', values: ['us-east'] }] }, true],
    ['NotIn on missing key matches', { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }, true],
    ['Exists', { matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, true],
    ['Exists missing', { matchExpressions: [{ key: 'zone', operator: 'Exists' }] }, false],
    ['DoesNotExist', { matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }, true],
    ['DoesNotExist present', { matchExpressions: [{ key: 'env', operator: 'DoesNotExist' }] }, false],
    ['labels AND expressions', { matchLabels: { env: 'prod' }, matchExpressions: [{ key: 'region', operator: 'In', values: ['us'] }] }, false],
    ['inherited property is not a label', { matchExpressions: [{ key: 'constructor', operator: 'Exists' }] }, false],
  ])('%s', (_name, selector, expected) => {
    expect(matchesLabelSelector(selector, labels)).toBe(expected);
  });
});

describe('label validation', () => {
  it.each([
    ['app', undefined],
    ['app.kubernetes.io/name', undefined],
    ['flotilla.dev/bundle', undefined],
    ['', 'the name must be'],
    ['-app', 'the name must be'],
    ['a'.repeat(64), 'the name must be'],
    ['Bad_Prefix/x', 'the prefix must be'],
    ['/x', 'the prefix must be'],
    ['a/b/c', 'the name must be'],
  ])('key %j', (key, problem) => {
    const found = labelKeyProblem(key);
    if (problem) expect(found).toContain(problem);
    else expect(found).toBeUndefined();
  });

  it.each([
    ['', undefined],
    ['eu-west', undefined],
    ['v1.2_3', undefined],
    ['a'.repeat(64), 'at most 63'],
    ['has space', 'at most 63'],
    ['line\nbreak', 'at most 63'],
    ['-lead', 'at most 63'],
  ])('value %j', (value, problem) => {
    const found = labelValueProblem(value);
    if (problem) expect(found).toContain(problem);
    else expect(found).toBeUndefined();
  });

  it.each([
    [{ matchExpressions: [{ key: 'a', operator: 'In' }] }, 'operator In needs at least one value'],
    [{ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }, 'operator Exists takes no values'],
    [{ matchExpressions: [{ key: 'a', operator: 'Near', values: ['x'] }] }, 'expected In, NotIn, Exists or DoesNotExist'],
    [{ matchLabel: { a: 'b' } }, 'matchLabel'],
  ])('refuses the selector %j', (selector, message) => {
    const result = labelSelectorSchema.safeParse(selector);
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toContain(message);
  });
});

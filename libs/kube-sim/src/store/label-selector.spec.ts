import { KubeApiError } from './api-status.error.js';
import { labelSelectorFromObject, matchesLabels, parseLabelSelector } from './label-selector.js';

const labels = { app: 'web', tier: 'front', version: '3' };

describe('label selectors', () => {
  it.each([
    ['', true],
    ['app=web', true],
    ['app==web', true],
    ['app=api', false],
    ['app!=api', true],
    ['missing!=x', true],
    ['app in (web, api)', true],
    ['app notin (web)', false],
    ['missing notin (web)', true],
    ['tier', true],
    ['!tier', false],
    ['!missing', true],
    ['app=web,tier=back', false],
    ['app in (web,api),tier', true],
    ['version>2', true],
    ['version<3', false],
    ['example.com/team', false],
    ['app=', false],
  ])('%j matches %s', (selector, expected) => {
    expect(matchesLabels(parseLabelSelector(selector), labels)).toBe(expected);
  });

  it.each(['app in (a', 'a b c', 'version>x', 'Bad Key=1', '=v', ','])('rejects %j with a 400 BadRequest', (selector) => {
    let error: unknown;
    try {
      matchesLabels(parseLabelSelector(selector), labels);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(KubeApiError);
    expect((error as KubeApiError).status).toMatchObject({ code: 400, reason: 'BadRequest' });
  });

  it('converts a metav1.LabelSelector object', () => {
    const selector = labelSelectorFromObject({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['front'] }] });
    expect(matchesLabels(selector, labels)).toBe(true);
    expect(matchesLabels(selector, { app: 'web' })).toBe(false);
  });
});

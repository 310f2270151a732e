import { labelSelectorSql } from './label-selector-sql.util.js';

describe('labelSelectorSql', () => {
  it.each([
    [{}, 'true', []],
    [{ matchLabels: { env: 'prod', tier: 'a' } }, 'l @> $3::jsonb', ['{"env":"prod","tier":"a"}']],
    [{ matchExpressions: [{ key: 'region', operator: 'In' as const, values: ['eu', 'us', 'eu'] }] }, '(l @> $3::jsonb OR l @> $4::jsonb)', ['{"region":"eu"}', '{"region":"us"}']],
    [{ matchExpressions: [{ key: 'region', operator: 'NotIn' as const, values: ['eu'] }] }, 'NOT (l @> $3::jsonb)', ['{"region":"eu"}']],
    [{ matchExpressions: [{ key: 'gpu', operator: 'Exists' as const }] }, 'l ? $3::text', ['gpu']],
    [{ matchExpressions: [{ key: 'gpu', operator: 'DoesNotExist' as const }] }, 'NOT (l ? $3::text)', ['gpu']],
    [
      { matchLabels: { env: 'prod' }, matchExpressions: [{ key: 'canary', operator: 'Exists' as const }] },
      'l @> $3::jsonb AND l ? $4::text',
      ['{"env":"prod"}', 'canary'],
    ],
  ])('translates %j', (selector, sql, params) => {
    expect(labelSelectorSql(selector, 'l', 3)).toEqual({ sql, params });
  });

  it('never splices a value into the SQL text', () => {
    const hostile = `x'); DROP TABLE clusters; --`;
    const condition = labelSelectorSql({ matchLabels: { [hostile]: hostile }, matchExpressions: [{ key: hostile, operator: 'Exists' }] }, 'l', 1);
    expect(condition.sql).not.toContain('DROP');
    expect(condition.params).toEqual([JSON.stringify({ [hostile]: hostile }), hostile]);
  });
});

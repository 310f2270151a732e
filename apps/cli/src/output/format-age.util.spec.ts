import { ageSince, formatAge } from './format-age.util.js';

describe('formatAge', () => {
  const s = 1000;
  const m = 60 * s;
  const h = 60 * m;
  const d = 24 * h;
  it.each([
    [-5 * s, '<invalid>'],
    [-500, '0s'],
    [0, '0s'],
    [45 * s, '45s'],
    [119 * s, '119s'],
    [3 * m + 20 * s, '3m20s'],
    [4 * m, '4m'],
    [17 * m + 5 * s, '17m'],
    [5 * h + 2 * m, '5h2m'],
    [6 * h, '6h'],
    [30 * h, '30h'],
    [3 * d + 4 * h, '3d4h'],
    [120 * d, '120d'],
    [(2 * 365 + 10) * d, '2y10d'],
    [9 * 365 * d, '9y'],
  ])('%d ms is %s', (ms, text) => {
    expect(formatAge(ms)).toBe(text);
  });

  it('reads ISO times and says <none> for no time', () => {
    expect(ageSince('2026-01-01T00:00:00Z', Date.parse('2026-01-01T00:01:30Z'))).toBe('90s');
    expect(ageSince(null)).toBe('<none>');
    expect(ageSince('yesterday')).toBe('<invalid>');
  });
});

import { formatFields, formatTable, oneLine, terminalSafe } from './print-table.util.js';

describe('formatTable', () => {
  it('upper-cases headers and aligns columns three spaces apart, without trailing spaces', () => {
    expect(formatTable(['name', 'state'], [['a', 'Connected'], ['long-name', '']]).text).toBe('NAME        STATE\na           Connected\nlong-name\n');
  });

  it('keeps given widths and prints no header (the rows a watch adds)', () => {
    const first = formatTable(['name', 'state'], [['a', 'x']]);
    expect(formatTable(['name', 'state'], [['bb', 'y']], first.widths).text).toBe('bb     y\n');
  });

  it('prints no escape sequence that came from the hub, and keeps each row on one line', () => {
    const { text } = formatTable(['reason'], [['\u001b[2J\u001b[31mfake\r\nline\u0007\u009b']]);
    expect(text).toBe('REASON\n\\x1b[2J\\x1b[31mfake\\x0d line\\x07\\x9b\n');
    expect(formatFields([['hub', 'x\u001b]0;title\u0007']])).toBe('HUB   x\\x1b]0;title\\x07\n');
  });
});

describe('terminalSafe and oneLine', () => {
  it('leave ordinary text alone', () => {
    expect(terminalSafe('apply failed: Deployment "web" — field is immutable\n\tdetail')).toBe('apply failed: Deployment "web" — field is immutable\n\tdetail');
    expect(oneLine('a\n  b', 60)).toBe('a b');
    expect(oneLine('x'.repeat(70), 10)).toBe(`${'x'.repeat(9)}…`);
    expect(oneLine(null)).toBe('<none>');
  });
});

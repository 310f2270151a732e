/** Column widths fixed by a first print, so the rows a watch adds later line up under it (as `kubectl get -w`). */
export type ColumnWidths = readonly number[];

// C0 controls (but newline and tab), DEL and C1 controls: what can move a terminal's cursor or change its state.
// eslint-disable-next-line no-control-regex
const TERMINAL_CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * Text from the hub made harmless for a terminal: reasons and messages come from agents and Git, and an escape
 * sequence in them must not rewrite the screen (as kubectl escapes them since CVE-2021-25743). Controls are shown
 * as `\xNN`; newlines and tabs stay, except in table cells, which are one line each.
 */
export function terminalSafe(text: string): string {
  return text.replace(TERMINAL_CONTROLS, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Formats rows under upper-case headers, columns three spaces apart as kubectl prints them; no trailing spaces. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[], widths?: ColumnWidths): { text: string; widths: ColumnWidths } {
  const cells = rows.map((row) => row.map((value) => terminalSafe(value.replace(/[\n\t]/g, ' '))));
  const used = widths ?? header.map((title, i) => Math.max(title.length, ...cells.map((row) => (row[i] ?? '').length)));
  const line = (row: readonly string[]) => `${row.map((value, i) => value.padEnd(used[i] ?? 0)).join('   ').trimEnd()}\n`;
  const body = cells.map(line).join('');
  return { text: widths ? body : line(header.map((title) => title.toUpperCase())) + body, widths: used };
}

/** A cell for an optional value: kubectl's `<none>` when absent or empty. */
export function cell(value: string | number | null | undefined): string {
  return value === null || value === undefined || value === '' ? '<none>' : String(value);
}

/** A short commit id or hash for narrow tables. */
export function short(value: string | null | undefined, length = 7): string {
  return value ? value.slice(0, length) : '<none>';
}

/** One line of at most `max` characters (reasons can be long and multi-line). */
export function oneLine(value: string | null | undefined, max = 60): string {
  if (!value) return '<none>';
  const flat = value.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** `KEY   value` lines, keys upper-cased and aligned (a summary of one object, as `kubectl describe` heads its output). */
export function formatFields(fields: readonly (readonly [string, string])[]): string {
  const width = Math.max(...fields.map(([key]) => key.length));
  return fields.map(([key, value]) => `${key.toUpperCase().padEnd(width)}   ${terminalSafe(value.replace(/[\n\t]/g, ' '))}`.trimEnd() + '\n').join('');
}

/** A value an array parameter may hold; null is SQL NULL. */
export type PgArrayElement = string | number | bigint | boolean | Date | null;

// Elements that need no quotes: no delimiter, quote, backslash, brace or white space, and not the word NULL.
const BARE = /^[\w.:+@/-]+$/;
const NULL_WORD = /^null$/i;

/**
 * The text form of a one-dimensional PostgreSQL array (`{a,"b c",NULL}`), for a parameter cast to
 * an array type (`$1::bigint[]`). It reads back as exactly the values given: elements are quoted
 * and escaped only where the array syntax needs it (most of a status batch — ids, numbers, enum
 * names — needs none), which is what makes it several times cheaper than the driver's generic
 * conversion of a JavaScript array for batches of tens of thousands of elements. Dates are written
 * in UTC ISO form, booleans as t/f.
 */
export function pgArrayLiteral(values: readonly PgArrayElement[]): string {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value === null || value === undefined) parts[i] = 'NULL';
    else if (typeof value === 'boolean') parts[i] = value ? 't' : 'f';
    else if (typeof value === 'number' || typeof value === 'bigint') parts[i] = String(value);
    else {
      const text = value instanceof Date ? value.toISOString() : value;
      parts[i] = BARE.test(text) && !NULL_WORD.test(text) ? text : `"${text.replace(/[\\"]/g, '\\$&')}"`;
    }
  }
  return `{${parts.join(',')}}`;
}

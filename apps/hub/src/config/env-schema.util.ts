import { z } from 'zod';

/**
 * Schemas of single environment variables, shared by every section of the hub's configuration so a
 * number, port or switch is read, bounded and reported the same way wherever it is declared.
 */

/** A TCP port (0 picks a free one). */
export const port = (fallback: number) =>
  z
    .string()
    .default(String(fallback))
    .transform((raw, ctx) => {
      const value = Number(raw);
      if (!/^\d+$/.test(raw.trim()) || value > 65_535) {
        ctx.addIssue({ code: 'custom', message: `expected a port number from 0 to 65535, got "${raw}"` });
        return z.NEVER;
      }
      return value;
    });

/** A whole number of `unit` within [min, max], multiplied by `factor` (e.g. seconds to milliseconds). */
export const boundedInteger = (fallback: number, min: number, max: number, unit: string, factor = 1) =>
  z
    .string()
    .default(String(fallback))
    .transform((raw, ctx) => {
      const value = Number(raw);
      if (!/^\d+$/.test(raw.trim()) || value < min || value > max) {
        ctx.addIssue({ code: 'custom', message: `expected ${unit} from ${min} to ${max}, got "${raw}"` });
        return z.NEVER;
      }
      return value * factor;
    });

/** A switch: 1/true/yes/on or 0/false/no/off, any case; unset or empty is `fallback`. */
export const flag = (fallback: boolean) =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw.trim() === '') return fallback;
      if (/^(1|true|yes|on)$/i.test(raw.trim())) return true;
      if (/^(0|false|no|off)$/i.test(raw.trim())) return false;
      ctx.addIssue({ code: 'custom', message: `expected true or false, got "${raw}"` });
      return z.NEVER;
    });

/** Text that may be unset; blank counts as unset. */
export const optionalText = z
  .string()
  .optional()
  .transform((raw) => (raw?.trim() ? raw.trim() : undefined));

/** The integer value of `--name N`, or `fallback`; not an integer of at least `min` (default 1): an error naming the option. */
export function integerOption(name: string, fallback: number, min?: number): number;

/** The 1, 5 and 15 minute load averages as `a/b/c`. */
export function loadavg(): Promise<string>;

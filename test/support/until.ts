/** How `until` polls, and what it adds to its error. */
export interface UntilOptions {
  /** Between two checks; 20 ms unless given. */
  readonly intervalMs?: number;
  /** Appended to the timeout's message: the state that did not arrive. */
  readonly detail?: () => string | Promise<string>;
}

/** Polls `check` until it holds; past `timeoutMs` it throws, naming `what` (a deadline, never a fixed sleep). */
export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000, options: UntilOptions = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${(await options.detail?.()) ?? ''}`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 20));
  }
}

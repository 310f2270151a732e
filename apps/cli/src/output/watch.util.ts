import { CliError } from '../cli.error.js';

/** How a watch ended: the watched thing finished, or the user pressed Ctrl-C (or the process got SIGTERM). */
export type WatchEnd = 'finished' | 'interrupted';

/** How long a watch keeps trying through transient failures (a hub restart) before it gives up. */
export const WATCH_RECONNECT_MS = 60_000;

/**
 * Calls `poll` now and then every `intervalMs` until it answers true or SIGINT/SIGTERM arrive. The signal given to
 * `poll` aborts an HTTP request in flight, so Ctrl-C ends the watch at once. A transient CliError (hub unreachable,
 * its database away) is said once on stderr and retried for up to `reconnectMs`; any other error ends the watch.
 */
export async function watchUntil(poll: (signal: AbortSignal) => Promise<boolean>, intervalMs: number, reconnectMs = WATCH_RECONNECT_MS): Promise<WatchEnd> {
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    let failingSince: number | undefined;
    for (;;) {
      try {
        if (await poll(controller.signal)) return 'finished';
        if (failingSince !== undefined) process.stderr.write('flotilla: the hub answers again\n');
        failingSince = undefined;
      } catch (error) {
        if (controller.signal.aborted) return 'interrupted';
        if (!(error instanceof CliError) || !error.transient) throw error;
        if (failingSince === undefined) {
          failingSince = Date.now();
          process.stderr.write(`flotilla: ${error.message}; trying again for up to ${Math.round(reconnectMs / 1000)} s\n`);
        } else if (Date.now() - failingSince > reconnectMs) {
          throw error;
        }
      }
      if (controller.signal.aborted) return 'interrupted';
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, intervalMs);
        controller.signal.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        }, { once: true });
      });
      if (controller.signal.aborted) return 'interrupted';
    }
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

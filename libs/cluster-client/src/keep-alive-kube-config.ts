import type { RequestContext } from '@kubernetes/client-node/dist/gen/http/http.js';
import { KubeConfig } from './client-node.loader.js';

/** What the cached undici dispatcher offers for shutdown; the type itself lives in undici, not a dependency of ours. */
interface Closeable {
  close(): Promise<void>;
}

/**
 * A KubeConfig that hands every request the same keep-alive dispatcher. client-node 2.0.1 builds a
 * new undici Agent per request in `applySecurityAuthentication`, so each call would open its own TLS
 * connection; reusing the first one keeps a small pool of long-lived connections instead. The token
 * and headers are still applied per request (in-cluster tokens rotate); only the TLS pool is shared.
 */
export class KeepAliveKubeConfig extends KubeConfig {
  private shared: unknown;

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const fresh = context.getDispatcher();
    if (fresh === undefined) return;
    if (this.shared === undefined) this.shared = fresh;
    else {
      // Never connected: closing only releases the object.
      void (fresh as Closeable).close().catch(() => undefined);
      context.setDispatcher(this.shared as Parameters<RequestContext['setDispatcher']>[0]);
    }
  }

  /** Closes the shared connections; later requests would open a new pool. */
  async closeConnections(): Promise<void> {
    const shared = this.shared as Closeable | undefined;
    this.shared = undefined;
    await shared?.close().catch(() => undefined);
  }
}

import { Injectable, Logger } from '@nestjs/common';

/** Certificates of one cluster that were just revoked (serials as the CA wrote them). */
export interface RevokedCertificates {
  readonly clusterId: string;
  readonly serials: ReadonlySet<string>;
}

/** Acts on a revocation; returns how many live streams it closed. */
export type RevocationListener = (revoked: RevokedCertificates) => number;

/**
 * Announces revocations after they are committed, so the agent gateway closes a live stream that
 * presented a revoked certificate at once (later connects are refused by the lookup anyway).
 * In-process today; with several hub replicas it becomes a PostgreSQL NOTIFY.
 */
@Injectable()
export class CertificateRevocations {
  private readonly logger = new Logger(CertificateRevocations.name);
  private readonly listeners = new Set<RevocationListener>();

  subscribe(listener: RevocationListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Tells every listener; returns how many live streams they closed. */
  emit(revoked: RevokedCertificates): number {
    if (revoked.serials.size === 0) return 0;
    let closed = 0;
    for (const listener of this.listeners) {
      try {
        closed += listener(revoked);
      } catch (error) {
        this.logger.error(`a revocation listener failed: ${(error as Error).message}`);
      }
    }
    return closed;
  }
}

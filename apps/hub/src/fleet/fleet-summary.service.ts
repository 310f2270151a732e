import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { FleetSummaryModel } from './dtos/fleet-summary.model.js';
import { countFleet } from './fleet-summary.query.js';

/**
 * The oldest answer served, counted from the start of the count that produced it: with the ingester's 100 ms batching,
 * a status reaches the summary within 2 s.
 */
export const FLEET_SUMMARY_MAX_AGE_MS = 1_500;
/** Younger than this, an answer is served as it is; older (but within the maximum), it is served while a recount runs. */
const FRESH_MS = 750;

interface Counted {
  readonly startedAt: number;
  readonly summary: FleetSummaryModel;
}

/**
 * The fleet summary, counted in the database, served stale-while-revalidate within FLEET_SUMMARY_MAX_AGE_MS: a
 * dashboard polling it (or many) costs at most one count per FRESH_MS plus the count's own time, and requests do
 * not wait for the 100,000-row scan unless the last count is too old; nothing is counted while nobody asks.
 * Concurrent requests share one count (single flight).
 */
@Injectable()
export class FleetSummaryService {
  private readonly logger = new Logger(FleetSummaryService.name);
  private latest: Counted | undefined;
  private inFlight: Promise<Counted> | undefined;

  constructor(private readonly dataSource: DataSource) {}

  async summary(): Promise<FleetSummaryModel> {
    const age = this.latest ? Date.now() - this.latest.startedAt : Number.POSITIVE_INFINITY;
    if (age < FRESH_MS) return this.latest!.summary;
    if (age < FLEET_SUMMARY_MAX_AGE_MS) {
      // Served now; the recount's failure is logged and the next request past the maximum age counts again.
      this.count().catch((error: Error) => this.logger.warn(`fleet summary recount failed: ${error.message}`));
      return this.latest!.summary;
    }
    return (await this.count()).summary;
  }

  private count(): Promise<Counted> {
    this.inFlight ??= (async () => {
      const startedAt = Date.now();
      try {
        const summary = await countFleet(this.dataSource);
        if (!this.latest || this.latest.startedAt < startedAt) this.latest = { startedAt, summary };
        return { startedAt, summary };
      } finally {
        this.inFlight = undefined;
      }
    })();
    return this.inFlight;
  }
}

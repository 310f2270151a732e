import type { AgentConnectionObserver } from '@flotilla/agent-connection';
import type { BundleReport, ReconcileEvent, ReconcileObserver } from '@flotilla/agent-core';
import { Counter, Gauge, Histogram, type Metric, type Registry } from 'prom-client';

/** What the recorder reads at scrape time from the running agent. */
export interface AgentMetricsSource {
  readonly connected: boolean;
  readonly persistedBundles: number;
}

/**
 * The agent's `flotilla_agent_*` metrics, fed by the reconciler (observer hooks and reports) and
 * the connection. They exist before the Nest shell does — the reconciler starts on the persisted
 * state before the HTTP side is up — and are registered into the process registry once it is, so
 * no early reconcile goes uncounted. Bundle labels are bounded by the bundles the hub sends; a
 * removed bundle's per-bundle series are dropped.
 */
export class AgentMetricsRecorder {
  private source: AgentMetricsSource | undefined;
  private readonly metrics: Metric[];
  private readonly duration = new Histogram({
    name: 'flotilla_agent_reconcile_duration_seconds',
    help: 'Duration of reconcile passes by bundle, kind (full apply pipeline or drift check) and result.',
    labelNames: ['bundle', 'kind', 'result'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [],
  });
  private readonly lastSuccess = new Gauge({
    name: 'flotilla_agent_last_successful_reconcile_timestamp_seconds',
    help: 'Unix time of the last successful reconcile pass of each bundle.',
    labelNames: ['bundle'] as const,
    registers: [],
  });
  private readonly applied = new Gauge({
    name: 'flotilla_agent_applied_resources',
    help: 'Resources of each bundle whose last apply succeeded (created, configured or unchanged).',
    labelNames: ['bundle'] as const,
    registers: [],
  });
  private readonly drifted = new Gauge({
    name: 'flotilla_agent_drifted_resources',
    help: 'Resources of each bundle with at least one drifted field at the last check.',
    labelNames: ['bundle'] as const,
    registers: [],
  });
  private readonly corrections = new Counter({
    name: 'flotilla_agent_drift_corrections_total',
    help: 'Objects whose drift was taken back by a correcting apply, by bundle.',
    labelNames: ['bundle'] as const,
    registers: [],
  });
  private readonly received = new Counter({
    name: 'flotilla_agent_hub_orders_total',
    help: 'Desired and Remove messages from the hub, by kind and verdict (accepted, duplicate redelivery, rejected).',
    labelNames: ['kind', 'verdict'] as const,
    registers: [],
  });

  constructor() {
    const connected: Gauge = new Gauge({
      name: 'flotilla_agent_connected',
      help: 'Whether the agent holds a live stream to the hub (1) or not (0).',
      registers: [],
      collect: () => connected.set(this.source?.connected ? 1 : 0),
    });
    const persisted: Gauge = new Gauge({
      name: 'flotilla_agent_persisted_bundles',
      help: 'Bundles whose last Desired (or removal) the agent holds in its encrypted state.',
      registers: [],
      collect: () => persisted.set(this.source?.persistedBundles ?? 0),
    });
    this.metrics = [connected, persisted, this.duration, this.lastSuccess, this.applied, this.drifted, this.corrections, this.received];
  }

  /** The hooks to give the reconciler (BundleReconcilerOptions.observer). */
  readonly reconcileObserver: ReconcileObserver = {
    reconciled: (event: ReconcileEvent) => {
      this.duration.observe({ bundle: event.bundle, kind: event.kind, result: event.succeeded ? 'success' : 'failure' }, event.durationMs / 1000);
      if (event.succeeded && event.report.phase !== 'Removed') this.lastSuccess.set({ bundle: event.bundle }, Date.now() / 1000);
    },
    driftCorrected: (bundle: string) => this.corrections.inc({ bundle }),
  };

  /** The hooks to give the connection (AgentConnectionOptions.observer). */
  readonly connectionObserver: AgentConnectionObserver = {
    received: (kind, _bundle, verdict) => this.received.inc({ kind, verdict }),
  };

  /** Every report the reconciler publishes (Reconciler.onReport). */
  report(report: BundleReport): void {
    const bundle = { bundle: report.bundle };
    if (report.phase === 'Removed') {
      for (const gauge of [this.applied, this.drifted, this.lastSuccess]) gauge.remove(bundle);
      return;
    }
    this.applied.set(bundle, report.resources.filter((r) => r.change === 'created' || r.change === 'configured' || r.change === 'unchanged').length);
    this.drifted.set(bundle, report.resources.filter((r) => r.drift.length > 0).length);
  }

  /** Where the scrape-time gauges read from: the running agent. */
  attach(source: AgentMetricsSource): void {
    this.source = source;
  }

  /** Adds every metric to the process registry (once, when the Nest shell starts). */
  register(registry: Registry): void {
    for (const metric of this.metrics) registry.registerMetric(metric);
  }
}

import { Injectable } from '@nestjs/common';
import { MetricsRegistry } from '@flotilla/observability';
import type { RolloutPlan, RolloutState } from '@flotilla/rollout';
import { Gauge, Histogram } from 'prom-client';
import { DataSource } from 'typeorm';

/** `flotilla_rollout_*`: rollouts by state, per-wave progress, rollout duration and decision time. */
@Injectable()
export class RolloutMetrics {
  private readonly waveDone: Gauge<'bundle' | 'wave'>;
  private readonly waveFailed: Gauge<'bundle' | 'wave'>;
  private readonly duration: Histogram<'outcome'>;
  private readonly decision: Histogram;

  constructor(metrics: MetricsRegistry, dataSource: DataSource) {
    const registers = [metrics.registry];
    new Gauge({
      name: 'flotilla_rollout_rollouts',
      help: 'Rollouts by state (phase), counted in the database at each scrape.',
      labelNames: ['state'],
      registers,
      // Counted at scrape time so that every hub replica reports the same truth.
      async collect() {
        const rows: { phase: string; n: number }[] = await dataSource.query(`SELECT phase, count(*)::int AS n FROM rollouts GROUP BY phase`);
        this.reset();
        for (const row of rows) this.set({ state: row.phase }, row.n);
      },
    });
    this.waveDone = new Gauge({ name: 'flotilla_rollout_wave_clusters_done', help: "Clusters done in each wave of a bundle's current rollout.", labelNames: ['bundle', 'wave'], registers });
    this.waveFailed = new Gauge({ name: 'flotilla_rollout_wave_clusters_failed', help: "Clusters failed in each wave of a bundle's current rollout.", labelNames: ['bundle', 'wave'], registers });
    this.duration = new Histogram({
      name: 'flotilla_rollout_duration_seconds',
      help: 'Time from the start of a rollout to its end, by outcome (Succeeded, RolledBack, Failed, Aborted, Superseded).',
      labelNames: ['outcome'],
      buckets: [1, 5, 15, 60, 300, 900, 1800, 3600, 7200, 21600, 86400],
      registers,
    });
    this.decision = new Histogram({
      name: 'flotilla_rollout_decision_seconds',
      help: 'Time of one rollout engine step for one bundle: read the fleet, decide, persist and carry out.',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
  }

  /** Records a step's outcome: wave gauges always, the duration when the rollout just ended. */
  stepped(plan: RolloutPlan, before: RolloutState | undefined, after: RolloutState, createdAt: Date | undefined, seconds: number): void {
    this.decision.observe(seconds);
    plan.waves.forEach((wave, index) => {
      const members = Object.values(after.clusters).filter((c) => c.wave === index);
      this.waveDone.set({ bundle: after.bundle, wave: wave.name }, members.filter((c) => c.phase === 'Done').length);
      this.waveFailed.set({ bundle: after.bundle, wave: wave.name }, members.filter((c) => c.phase === 'Failed' || c.phase === 'RollbackFailed').length);
    });
    this.ended(before, after, createdAt);
  }

  /** Observes the duration once, on the step that moves a rollout into a terminal phase. */
  ended(before: RolloutState | undefined, after: RolloutState, createdAt: Date | undefined): void {
    const terminal = ['Succeeded', 'RolledBack', 'Failed', 'Aborted', 'Superseded'];
    if (!terminal.includes(after.phase) || before?.phase === after.phase) return;
    const started = after.startedAt ?? createdAt?.getTime();
    if (started !== undefined) this.duration.observe({ outcome: after.phase }, Math.max(0, Date.now() - started) / 1000);
  }
}

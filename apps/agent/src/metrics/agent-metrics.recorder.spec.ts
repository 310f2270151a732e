import type { BundleReport, ResourceReport } from '@flotilla/agent-core';
import { Registry } from 'prom-client';
import { AgentMetricsRecorder } from './agent-metrics.recorder.js';

const resource = (name: string, change: ResourceReport['change'], drifted = false): ResourceReport => ({
  group: '',
  version: 'v1',
  kind: 'ConfigMap',
  namespace: 'web',
  name,
  change,
  health: 'Healthy',
  message: '',
  drift: drifted ? [{ path: '/data/a', liveJson: '"x"', desiredJson: '"y"', manager: 'kubectl-edit' }] : [],
});
const report = (phase: BundleReport['phase'], resources: ResourceReport[]): BundleReport => ({
  bundle: 'web',
  generation: 3n,
  phase,
  health: 'Healthy',
  terminal: false,
  drift: { driftedFields: resources.filter((r) => r.drift.length).length, fighting: false },
  resources,
  reason: '',
  observedAt: new Date(),
});

async function values(registry: Registry, name: string): Promise<{ labels: Record<string, string | number>; value: number }[]> {
  const metric = registry.getSingleMetric(name);
  return metric ? (await metric.get()).values.map((v) => ({ labels: v.labels as Record<string, string | number>, value: v.value })) : [];
}

describe('AgentMetricsRecorder', () => {
  it('keeps what was recorded before it was registered, and reads connection state at scrape time', async () => {
    const recorder = new AgentMetricsRecorder();
    const applied = report('Applied', [resource('a', 'created'), resource('b', 'unchanged', true), resource('c', 'skipped'), resource('d', 'deleted')]);
    recorder.reconcileObserver.reconciled!({ bundle: 'web', kind: 'full', succeeded: true, durationMs: 250, report: applied });
    recorder.reconcileObserver.reconciled!({ bundle: 'web', kind: 'drift', succeeded: false, durationMs: 10, report: applied });
    recorder.reconcileObserver.driftCorrected!('web', 'ConfigMap web/b', 1);
    recorder.connectionObserver.received!('desired', 'web', 'accepted');
    recorder.connectionObserver.received!('desired', 'web', 'duplicate');
    recorder.report(applied);
    const registry = new Registry();
    recorder.register(registry);
    let connected = false;
    recorder.attach({ get connected() { return connected; }, persistedBundles: 4 });

    expect(await values(registry, 'flotilla_agent_applied_resources')).toEqual([{ labels: { bundle: 'web' }, value: 2 }]);
    expect(await values(registry, 'flotilla_agent_drifted_resources')).toEqual([{ labels: { bundle: 'web' }, value: 1 }]);
    expect(await values(registry, 'flotilla_agent_drift_corrections_total')).toEqual([{ labels: { bundle: 'web' }, value: 1 }]);
    expect(await values(registry, 'flotilla_agent_hub_orders_total')).toEqual([
      { labels: { kind: 'desired', verdict: 'accepted' }, value: 1 },
      { labels: { kind: 'desired', verdict: 'duplicate' }, value: 1 },
    ]);
    const text = await registry.metrics();
    expect(text).toContain('flotilla_agent_reconcile_duration_seconds_sum{bundle="web",kind="full",result="success"} 0.25');
    expect(text).toContain('flotilla_agent_reconcile_duration_seconds_count{bundle="web",kind="drift",result="failure"} 1');
    const [last] = await values(registry, 'flotilla_agent_last_successful_reconcile_timestamp_seconds');
    expect(last!.value).toBeGreaterThan(Date.now() / 1000 - 60);
    expect(await values(registry, 'flotilla_agent_connected')).toEqual([{ labels: {}, value: 0 }]);
    connected = true;
    expect(await values(registry, 'flotilla_agent_connected')).toEqual([{ labels: {}, value: 1 }]);
    expect(await values(registry, 'flotilla_agent_persisted_bundles')).toEqual([{ labels: {}, value: 4 }]);
  });

  it('drops a removed bundle’s per-bundle gauges', async () => {
    const recorder = new AgentMetricsRecorder();
    const registry = new Registry();
    recorder.register(registry);
    recorder.report(report('Applied', [resource('a', 'created')]));
    recorder.reconcileObserver.reconciled!({ bundle: 'web', kind: 'full', succeeded: true, durationMs: 1, report: report('Applied', []) });
    recorder.report(report('Removed', [resource('a', 'deleted')]));
    for (const name of ['flotilla_agent_applied_resources', 'flotilla_agent_drifted_resources', 'flotilla_agent_last_successful_reconcile_timestamp_seconds']) {
      expect(await values(registry, name)).toEqual([]);
    }
  });
});

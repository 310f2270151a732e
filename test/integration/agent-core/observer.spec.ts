import type { ReconcileEvent } from '@flotilla/agent-core';
import { configMap, deployment, desired, ns, policy, reportMatching, startHarness, until, type Harness } from './agent-core.harness.js';

/** What the reconciler tells its observer (the agent's metrics come from this): passes, their outcome and duration, corrections. */
describe('the reconcile observer', () => {
  let h: Harness;
  const events: ReconcileEvent[] = [];
  const corrections: { bundle: string; resource: string; fields: number }[] = [];

  beforeEach(async () => {
    events.length = 0;
    corrections.length = 0;
    h = await startHarness('in-memory', {
      observer: {
        reconciled: (event) => events.push(event),
        driftCorrected: (bundle, resource, fields) => corrections.push({ bundle, resource, fields }),
      },
    });
  });
  afterEach(() => h.close());

  it('reports a successful full pass with its duration, then the drift pass that corrects an edit', async () => {
    h.reconciler.desired(desired('app', 1, [ns('app'), deployment('web', 'app', 2)]));
    await reportMatching(h, 'Healthy', (r) => r.phase === 'Applied' && r.health === 'Healthy');
    const full = await until(() => events.find((e) => e.kind === 'full'), 'the full pass');
    expect(full).toMatchObject({ bundle: 'app', succeeded: true, report: { phase: 'Applied', generation: 1n } });
    expect(full.durationMs).toBeGreaterThan(0);
    await until(() => events.find((e) => e.kind === 'drift' && e.succeeded), 'the first drift pass');
    expect(corrections).toEqual([]);

    h.cluster.patch({ type: h.cluster.resource('apps', 'v1', 'deployments'), namespace: 'app', name: 'web' }, 'merge', { spec: { replicas: 5 } }, { fieldManager: 'kubectl-edit' });
    await until(() => corrections.length > 0, 'the correction');
    expect(corrections).toEqual([{ bundle: 'app', resource: 'Deployment app/web', fields: 1 }]);
  });

  it('reports drift found in report mode without a correction', async () => {
    h.reconciler.desired(desired('app', 1, [ns('app'), deployment('web', 'app', 2)], { policy: policy({ drift: 'report' }) }));
    await reportMatching(h, 'Healthy', (r) => r.phase === 'Applied' && r.health === 'Healthy');
    const before = events.length;
    h.cluster.patch({ type: h.cluster.resource('apps', 'v1', 'deployments'), namespace: 'app', name: 'web' }, 'merge', { spec: { replicas: 5 } }, { fieldManager: 'kubectl-edit' });
    const pass = await until(() => events.slice(before).find((e) => e.kind === 'drift' && e.report.drift.driftedFields > 0), 'the drift pass');
    expect(pass.succeeded).toBe(true);
    expect(corrections).toEqual([]);
  });

  it('reports a failed pass, and keeps reconciling when an observer throws', async () => {
    await h.close();
    h = await startHarness('in-memory', {
      observer: {
        reconciled: (event) => {
          events.push(event);
          throw new Error('a broken observer');
        },
      },
    });
    // A namespace that does not exist: the apply fails and is retried.
    h.reconciler.desired(desired('app', 1, [configMap('c', 'missing')]));
    const failed = await until(() => events.find((e) => e.kind === 'full' && !e.succeeded), 'the failed pass');
    expect(failed.report.phase).toBe('Failed');
    await until(() => events.filter((e) => e.kind === 'full' && !e.succeeded).length >= 2, 'the retry, despite the throwing observer');
    h.reconciler.desired(desired('app', 2, [ns('missing'), configMap('c', 'missing')]));
    await until(() => events.find((e) => e.kind === 'full' && e.succeeded && e.report.generation === 2n), 'the next generation applied');
  });
});

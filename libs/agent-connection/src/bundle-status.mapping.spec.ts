import { Change, Health, Phase } from '@flotilla/protocol';
import { toBundleStatus } from './bundle-status.mapping.js';
import type { BundleReport } from './reconciler.js';

describe('toBundleStatus', () => {
  it.each([
    ['Waiting', Phase.PHASE_WAITING],
    ['Applying', Phase.PHASE_APPLYING],
    ['Applied', Phase.PHASE_APPLIED],
    ['Failed', Phase.PHASE_FAILED],
    ['Removing', Phase.PHASE_REMOVING],
    ['Removed', Phase.PHASE_REMOVED],
    ['Suspended', Phase.PHASE_SUSPENDED],
  ] as const)('maps phase %s', (phase, expected) => {
    expect(toBundleStatus(report({ phase })).phase).toBe(expected);
  });

  it.each([
    ['Healthy', Health.HEALTH_HEALTHY],
    ['Progressing', Health.HEALTH_PROGRESSING],
    ['Degraded', Health.HEALTH_DEGRADED],
    ['Unknown', Health.HEALTH_UNKNOWN],
  ] as const)('maps health %s', (health, expected) => {
    expect(toBundleStatus(report({ health })).health).toBe(expected);
  });

  it('maps resources, their change and drift, and the time', () => {
    const observedAt = new Date('2026-11-22T06:00:00Z');
    const status = toBundleStatus(
      report({
        observedAt,
        drift: { driftedFields: 1, fighting: true },
        resources: (['created', 'configured', 'unchanged', 'deleted', 'skipped'] as const).map((change) => ({
          group: 'apps',
          version: 'v1',
          kind: 'Deployment',
          namespace: 'web',
          name: change,
          change,
          health: 'Healthy',
          message: '',
          drift: [{ path: '/spec/replicas', liveJson: '3', desiredJson: '2', manager: 'kubectl-scale' }],
        })),
      }),
    );
    expect(status.resources.map((r) => r.change)).toEqual([Change.CHANGE_CREATED, Change.CHANGE_CONFIGURED, Change.CHANGE_UNCHANGED, Change.CHANGE_DELETED, Change.CHANGE_SKIPPED]);
    expect(status.resources[0]!.drift).toEqual([{ path: '/spec/replicas', liveJson: '3', desiredJson: '2', manager: 'kubectl-scale' }]);
    expect(status.drift).toEqual({ driftedFields: 1, fighting: true });
    expect(status.observedAtUnixMs).toBe(BigInt(observedAt.getTime()));
  });
});

function report(overrides: Partial<BundleReport>): BundleReport {
  return {
    bundle: 'web',
    generation: 3n,
    phase: 'Applied',
    health: 'Healthy',
    terminal: false,
    drift: { driftedFields: 0, fighting: false },
    resources: [],
    reason: '',
    observedAt: new Date(),
    ...overrides,
  };
}

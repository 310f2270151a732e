import { dependencyGate } from './dependency-gate.step.js';
import type { BundleReport, Health, Phase } from './reconciler.types.js';

const report = (bundle: string, phase: Phase, health: Health): BundleReport => ({
  bundle, generation: 1n, phase, health, terminal: false, drift: { driftedFields: 0, fighting: false }, resources: [], reason: '', observedAt: new Date(0),
});

describe('dependencyGate', () => {
  const reports = new Map([
    ['crds', report('crds', 'Applied', 'Healthy')],
    ['db', report('db', 'Applied', 'Progressing')],
  ]);
  it('lets a bundle go when every dependency is Applied and Healthy', () => {
    expect(dependencyGate([], (b) => reports.get(b))).toBeUndefined();
    expect(dependencyGate(['crds'], (b) => reports.get(b))).toBeUndefined();
  });
  it('names every dependency still pending and why', () => {
    expect(dependencyGate(['crds', 'db', 'cache'], (b) => reports.get(b))).toBe('WaitingForDependency: db (Applied, Progressing), cache (not on this cluster)');
  });
});

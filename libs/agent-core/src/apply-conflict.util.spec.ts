import { conflictingManagers, mayForce } from './apply-conflict.util.js';

describe('apply conflicts', () => {
  it.each([
    ['Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: .spec.replicas', ['kubectl-edit']],
    ['Apply failed with 2 conflicts: conflicts with "hpa" using apps/v1:\n- .spec.replicas\nconflicts with "kubectl" using apps/v1:\n- .spec.paused', ['hpa', 'kubectl']],
    ['something else', []],
  ])('%s names %j', (message, managers) => {
    expect(conflictingManagers(message)).toEqual(managers);
  });

  it('forces only takeover managers unless forceConflicts', () => {
    const takeover = ['kubectl', 'kubectl-edit'];
    expect(mayForce(['kubectl-edit'], takeover, false)).toBe(true);
    expect(mayForce(['kubectl-edit', 'hpa'], takeover, false)).toBe(false);
    expect(mayForce(['hpa'], takeover, true)).toBe(true);
    expect(mayForce([], takeover, false)).toBe(false);
  });
});

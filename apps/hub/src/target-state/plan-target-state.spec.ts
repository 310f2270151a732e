import { planTargetState, type PlannedBundle, type RenderOutcome, type StoredDeployment } from './plan-target-state.js';

const bundle: PlannedBundle = { id: 'b1', name: 'web', revision: 'r2', deletionPolicy: 'delete', removalApproved: false, admission: 'immediate' };

function stored(clusterId: string, hash: string | null, extra: Partial<StoredDeployment> = {}): StoredDeployment {
  return { bundleId: 'b1', clusterId, targetHash: hash, targetRevision: 'r1', desiredHash: hash, desiredRevision: 'r1', removal: null, reason: null, ...extra };
}

function outcomes(entries: Record<string, RenderOutcome>): Map<string, Map<string, RenderOutcome>> {
  return new Map([['b1', new Map(Object.entries(entries))]]);
}

const ok = (hash: string): RenderOutcome => ({ ok: true, hash });

describe('planTargetState', () => {
  it('creates rows with a new generation for newly targeted clusters', () => {
    const plan = planTargetState([bundle], outcomes({ c1: ok('h1') }), []);
    expect(plan.writes).toEqual([
      { bundleId: 'b1', clusterId: 'c1', targetHash: 'h1', targetRevision: 'r2', desiredHash: 'h1', desiredRevision: 'r2', removal: null, reason: null, bumpGeneration: true },
    ]);
  });

  it('leaves a cluster alone when its render did not change, whatever the revision', () => {
    expect(planTargetState([bundle], outcomes({ c1: ok('h1') }), [stored('c1', 'h1')]).writes).toEqual([]);
  });

  it('bumps the generation only where the hash changed', () => {
    const plan = planTargetState([bundle], outcomes({ c1: ok('h1'), c2: ok('h9') }), [stored('c1', 'h1'), stored('c2', 'h2')]);
    expect(plan.writes.map((w) => [w.clusterId, w.bumpGeneration, w.desiredHash])).toEqual([['c2', true, 'h9']]);
  });

  it('keeps the last good state on a render error and records the reason once', () => {
    const error: RenderOutcome = { ok: false, error: 'cm.yaml:3: boom' };
    const plan = planTargetState([bundle], outcomes({ c1: error }), [stored('c1', 'h1')]);
    expect(plan.writes).toEqual([{ ...stored('c1', 'h1'), reason: 'cm.yaml:3: boom', bumpGeneration: false }]);
    expect(planTargetState([bundle], outcomes({ c1: error }), [stored('c1', 'h1', { reason: 'cm.yaml:3: boom' })]).writes).toEqual([]);
    const recovered = planTargetState([bundle], outcomes({ c1: ok('h1') }), [stored('c1', 'h1', { reason: 'cm.yaml:3: boom' })]);
    expect(recovered.writes).toEqual([expect.objectContaining({ reason: null, bumpGeneration: false, desiredRevision: 'r1' })]);
  });

  it('records an error for a cluster that never had a good render, with nothing desired', () => {
    const plan = planTargetState([bundle], outcomes({ c1: { ok: false, error: 'x' } }), []);
    expect(plan.writes).toEqual([expect.objectContaining({ desiredHash: null, targetHash: null, reason: 'x', bumpGeneration: false })]);
  });

  it('turns clusters no longer targeted into tombstones with the deletion policy', () => {
    const plan = planTargetState([{ ...bundle, deletionPolicy: 'orphan' }], outcomes({ c1: ok('h1'), c2: ok('h1'), c3: ok('h1') }), [
      stored('c1', 'h1'),
      stored('c2', 'h1'),
      stored('c3', 'h1'),
      stored('c4', 'h1'),
    ]);
    expect(plan.heldRemovals).toEqual([]);
    expect(plan.writes).toEqual([expect.objectContaining({ clusterId: 'c4', removal: 'orphan', targetHash: null, desiredHash: 'h1', bumpGeneration: true })]);
  });

  it('holds removals from more than half of a bundle’s clusters until approved', () => {
    const rows = [stored('c1', 'h1'), stored('c2', 'h1'), stored('c3', 'h1')];
    const held = planTargetState([bundle], outcomes({ c1: ok('h1') }), rows);
    expect(held.writes).toEqual([]);
    expect(held.heldRemovals).toEqual([{ bundleId: 'b1', bundleName: 'web', removing: 2, of: 3 }]);
    const approved = planTargetState([{ ...bundle, removalApproved: true }], outcomes({ c1: ok('h1') }), rows);
    expect(approved.writes.map((w) => [w.clusterId, w.removal])).toEqual([
      ['c2', 'delete'],
      ['c3', 'delete'],
    ]);
  });

  it('judges the valve on the whole fleet when only some clusters are in scope', () => {
    const plan = planTargetState([bundle], outcomes({}), [stored('c7', 'h1')], new Map([['b1', 10]]));
    expect(plan.heldRemovals).toEqual([]);
    expect(plan.writes).toEqual([expect.objectContaining({ clusterId: 'c7', removal: 'delete' })]);
  });

  it('removes a bundle deleted from Git everywhere only with approval', () => {
    const rows = [stored('c1', 'h1'), stored('c2', 'h1')];
    expect(planTargetState([bundle], new Map(), rows).heldRemovals).toHaveLength(1);
    expect(planTargetState([{ ...bundle, removalApproved: true }], new Map(), rows).writes).toHaveLength(2);
  });

  it('drops rows that never delivered anything, and leaves tombstones alone', () => {
    const plan = planTargetState([bundle], outcomes({}), [stored('c1', null, { reason: 'x' }), stored('c2', 'h1', { removal: 'delete', targetHash: null })]);
    expect(plan.deletes).toEqual([{ bundleId: 'b1', clusterId: 'c1' }]);
    expect(plan.writes).toEqual([]);
  });

  it('leaves desired state to the rollout engine when the bundle has a rollout', () => {
    const rolled = { ...bundle, admission: 'rollout' as const };
    const plan = planTargetState([rolled], outcomes({ c1: ok('h2'), c2: ok('h1') }), [stored('c1', 'h1')]);
    expect(plan.writes).toEqual([
      expect.objectContaining({ clusterId: 'c1', targetHash: 'h2', desiredHash: 'h1', bumpGeneration: false, targetOnly: true }),
      expect.objectContaining({ clusterId: 'c2', targetHash: 'h1', desiredHash: null, bumpGeneration: false, targetOnly: true }),
    ]);
    const failed = planTargetState([rolled], outcomes({ c1: { ok: false, error: 'x' } }), [stored('c1', 'h1')]);
    expect(failed.writes).toEqual([expect.objectContaining({ reason: 'x', targetOnly: true })]);
  });

  it('leaves the removals of a rollout bundle to the engine: only the target goes, and the valve still holds', () => {
    const rolled = { ...bundle, admission: 'rollout' as const };
    const rows = [stored('c1', 'h1'), stored('c2', 'h1'), stored('c3', 'h1')];
    const one = planTargetState([rolled], outcomes({ c1: ok('h1'), c2: ok('h1') }), rows);
    expect(one.heldRemovals).toEqual([]);
    expect(one.writes).toEqual([{ ...stored('c3', 'h1'), targetHash: null, targetRevision: 'r2', bumpGeneration: false, targetOnly: true }]);
    // Written once: a second plan over the stored target-less row writes nothing.
    expect(planTargetState([rolled], outcomes({ c1: ok('h1'), c2: ok('h1') }), [rows[0]!, rows[1]!, stored('c3', 'h1', { targetHash: null })]).writes).toEqual([]);
    const held = planTargetState([rolled], new Map(), rows);
    expect(held.writes).toEqual([]);
    expect(held.heldRemovals).toEqual([{ bundleId: 'b1', bundleName: 'web', removing: 3, of: 3 }]);
    const approved = planTargetState([{ ...rolled, removalApproved: true }], new Map(), rows);
    expect(approved.writes.map((w) => [w.clusterId, w.targetHash, w.removal, w.bumpGeneration, w.targetOnly])).toEqual([
      ['c1', null, null, false, true],
      ['c2', null, null, false, true],
      ['c3', null, null, false, true],
    ]);
  });

  it('revives a tombstone when the cluster is targeted again, with a new generation', () => {
    const plan = planTargetState([bundle], outcomes({ c1: ok('h1') }), [stored('c1', 'h1', { removal: 'delete', targetHash: null })]);
    expect(plan.writes).toEqual([expect.objectContaining({ removal: null, desiredHash: 'h1', bumpGeneration: true })]);
  });
});

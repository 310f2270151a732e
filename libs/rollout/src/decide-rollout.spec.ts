import { beginRollback, decideRollout, recordAdmission, recordRollback, startRollout } from './decide-rollout.js';
import type { ClusterView, ReportedStatus, RolloutPlan, RolloutState } from './rollout.types.js';
import { concurrencyOf, failureBudgetOf, waveOf } from './wave-arithmetic.js';

const PLAN: RolloutPlan = {
  waves: [
    { name: 'canary', selector: { matchLabels: { canary: 'true' } }, maxConcurrent: 1, approval: false },
    { name: 'thirty', selector: { matchLabels: { ring: '1' } }, maxConcurrent: '30%', approval: false },
    { name: 'rest', maxConcurrent: '50%', approval: false },
  ],
  bakeMs: 1_000,
  progressDeadlineMs: 10_000,
  maxFailures: 0,
  onFailure: 'rollback',
};

/** A fleet in memory: views the engine reads, and the generations a caller would issue. */
class Fleet {
  readonly views = new Map<string, { -readonly [K in keyof ClusterView]: ClusterView[K] }>();
  private generation = 100n;
  readonly admittedAt: string[] = [];
  now = 0;

  add(id: string, labels: Record<string, string>, desired = 'old', target = 'new'): void {
    this.views.set(id, { id, labels, connected: true, targetHash: target, desiredHash: desired, report: null, renderError: null });
  }

  /** Runs one decision and carries out its actions like the hub would. */
  step(plan: RolloutPlan, state: RolloutState, approved = new Set<string>()): RolloutState {
    const decision = decideRollout(plan, state, [...this.views.values()], approved, this.now);
    for (const action of decision.actions) {
      const view = this.views.get(action.clusterId)!;
      // A null hash is a removal: the row keeps its hash and becomes a tombstone, as in the hub.
      if (action.hash === null) view.removed = true;
      else [view.desiredHash, view.removed] = [action.hash, false];
      this.generation += 1n;
      if (action.kind === 'admit') {
        recordAdmission(decision.state, action.clusterId, this.generation, this.now);
        this.admittedAt.push(action.clusterId);
      } else recordRollback(decision.state, action.clusterId, this.generation, this.now);
    }
    return decision.state;
  }

  report(id: string, state: RolloutState, status: Partial<ReportedStatus> = {}): void {
    const progress = state.clusters[id]!;
    const generation = BigInt(progress.phase === 'RollingBack' ? progress.rollbackGeneration! : progress.generation!);
    this.views.get(id)!.report = { generation, phase: 'APPLIED', health: 'HEALTHY', terminal: false, reason: '', ...status };
  }

  reportAllAdmitted(state: RolloutState): void {
    for (const [id, progress] of Object.entries(state.clusters)) if (progress.phase === 'Admitted' || progress.phase === 'RollingBack') this.report(id, state);
  }
}

function twentyClusters(): Fleet {
  const fleet = new Fleet();
  fleet.add('c00', { canary: 'true' });
  for (let i = 1; i < 20; i += 1) fleet.add(`c${String(i).padStart(2, '0')}`, i <= 6 ? { ring: '1' } : {});
  return fleet;
}

const inFlight = (state: RolloutState) => Object.values(state.clusters).filter((c) => c.phase === 'Admitted');

describe('wave arithmetic', () => {
  it.each([
    [1, 10, 1],
    ['30%', 6, 2],
    ['30%', 1, 1],
    ['25%', 10, 3],
    ['100%', 7, 7],
    ['0%', 5, 1],
  ])('maxConcurrent %j of %i → %i (rounded up, at least 1)', (spec, size, expected) => expect(concurrencyOf(spec, size)).toBe(expected));

  it.each([
    [1, 10, 1],
    ['10%', 19, 1],
    ['10%', 9, 0],
  ])('maxFailures %j of %i → %i (rounded down)', (spec, size, expected) => expect(failureBudgetOf(spec, size)).toBe(expected));

  it('puts a cluster in the first matching wave, else the last', () => {
    expect(waveOf(PLAN, { canary: 'true', ring: '1' })).toBe(0);
    expect(waveOf(PLAN, { ring: '1' })).toBe(1);
    expect(waveOf(PLAN, { other: 'x' })).toBe(2);
  });
});

describe('decideRollout', () => {
  it('takes only clusters whose target differs from their desired state, never a removal', () => {
    const fleet = new Fleet();
    fleet.add('a', {});
    fleet.add('b', {}, 'same', 'same');
    fleet.add('c', {}, 'old', null as unknown as string);
    fleet.views.get('c')!.removed = true;
    expect(Object.keys(startRollout(PLAN, 'web', 'r2', [...fleet.views.values()]).clusters)).toEqual(['a']);
  });

  it('rolls a first deployment back to nothing, and waits for the removal to be reported', () => {
    const fleet = new Fleet();
    fleet.add('a', { canary: 'true' }, null as unknown as string, 'new');
    let state = fleet.step(PLAN, startRollout(PLAN, 'web', 'r2', [...fleet.views.values()]));
    fleet.report('a', state, { phase: 'FAILED', reason: 'boom' });
    state = fleet.step(PLAN, state);
    expect(state.clusters.a!.phase).toBe('RollingBack');
    fleet.views.get('a')!.removed = true;
    expect(fleet.step(PLAN, state).phase).toBe('RollingBack');
    fleet.report('a', state, { phase: 'REMOVED', health: 'UNKNOWN' });
    expect(fleet.step(PLAN, state).phase).toBe('RolledBack');
  });

  it('moves wave by wave, never above maxConcurrent, and only after a bake at the new generation', () => {
    const fleet = twentyClusters();
    let state = startRollout(PLAN, 'web', 'r2', [...fleet.views.values()]);
    const maxInFlight: Record<number, number> = {};
    for (let tick = 0; tick < 200 && state.phase !== 'Succeeded'; tick += 1) {
      state = fleet.step(PLAN, state);
      for (const progress of inFlight(state)) maxInFlight[progress.wave] = Math.max(maxInFlight[progress.wave] ?? 0, inFlight(state).filter((p) => p.wave === progress.wave).length);
      // Nothing from a later wave is admitted while an earlier wave has clusters not done.
      for (const progress of Object.values(state.clusters)) {
        if (progress.phase !== 'Pending') {
          expect(Object.values(state.clusters).filter((p) => p.wave < progress.wave && p.phase !== 'Done')).toEqual([]);
        }
      }
      fleet.reportAllAdmitted(state);
      fleet.now += 400;
    }
    expect(state.phase).toBe('Succeeded');
    expect(maxInFlight).toEqual({ 0: 1, 1: 2, 2: 7 });
    expect(fleet.admittedAt[0]).toBe('c00');
  });

  it('counts a cluster done only after it stays Healthy for the bake time', () => {
    const fleet = twentyClusters();
    let state = fleet.step(PLAN, startRollout(PLAN, 'web', 'r2', [...fleet.views.values()]));
    fleet.report('c00', state);
    state = fleet.step(PLAN, state);
    fleet.now += PLAN.bakeMs / 2;
    state = fleet.step(PLAN, state);
    expect(state.clusters.c00!.phase).toBe('Admitted');
    fleet.report('c00', state, { health: 'PROGRESSING' });
    fleet.now += PLAN.bakeMs;
    state = fleet.step(PLAN, state);
    expect(state.clusters.c00!.phase).toBe('Admitted'); // a dip resets the bake
    fleet.report('c00', state);
    state = fleet.step(PLAN, state);
    fleet.now += PLAN.bakeMs;
    state = fleet.step(PLAN, state);
    expect(state.clusters.c00!.phase).toBe('Done');
  });

  it('never counts a status of another generation', () => {
    const fleet = twentyClusters();
    let state = fleet.step(PLAN, startRollout(PLAN, 'web', 'r2', [...fleet.views.values()]));
    const generation = BigInt(state.clusters.c00!.generation!);
    fleet.views.get('c00')!.report = { generation: generation - 1n, phase: 'APPLIED', health: 'HEALTHY', terminal: false, reason: '' };
    for (let i = 0; i < 5; i += 1) {
      fleet.now += 1_000;
      state = fleet.step(PLAN, state);
    }
    expect(state.clusters.c00!.phase).toBe('Admitted');
    expect(Object.values(state.clusters).filter((c) => c.phase !== 'Pending')).toHaveLength(1);
  });

  it('rolls back every touched cluster when the canary misses its deadline', () => {
    const fleet = twentyClusters();
    let state = fleet.step(PLAN, startRollout(PLAN, 'web', 'r2', [...fleet.views.values()]));
    fleet.report('c00', state, { health: 'PROGRESSING' });
    fleet.now += PLAN.progressDeadlineMs + 1;
    state = fleet.step(PLAN, state);
    expect(state.phase).toBe('RollingBack');
    expect(state.clusters.c00).toMatchObject({ phase: 'RollingBack' });
    expect(fleet.views.get('c00')!.desiredHash).toBe('old');
    fleet.report('c00', state);
    state = fleet.step(PLAN, state);
    expect(state.phase).toBe('RolledBack');
    expect(state.reason).toContain('not done within the progress deadline');
    // Pinned: nothing more is admitted, whoever joins.
    fleet.add('late', {});
    expect(fleet.step(PLAN, state).phase).toBe('RolledBack');
    expect(fleet.admittedAt).toEqual(['c00']);
  });

  it('a cluster first seen Healthy after the deadline (the hub was down) bakes instead of failing; one that turns unhealthy then fails', () => {
    const fleet = twentyClusters();
    let state = fleet.step(PLAN, startRollout(PLAN, 'web', 'r2', [...fleet.views.values()]));
    fleet.report('c00', state);
    fleet.now += PLAN.progressDeadlineMs * 3;
    state = fleet.step(PLAN, state);
    expect(state.clusters.c00!.phase).toBe('Admitted');
    fleet.report('c00', state, { health: 'PROGRESSING' });
    fleet.now += 1;
    state = fleet.step(PLAN, state);
    expect(state.clusters.c00).toMatchObject({ phase: 'RollingBack', failure: expect.stringContaining('progress deadline') });

    const other = twentyClusters();
    let again = other.step(PLAN, startRollout(PLAN, 'web', 'r2', [...other.views.values()]));
    other.report('c00', again);
    other.now += PLAN.progressDeadlineMs * 3;
    again = other.step(PLAN, again);
    other.now += PLAN.bakeMs;
    again = other.step(PLAN, again);
    expect(again.clusters.c00!.phase).toBe('Done');
  });

  it('pauses instead, with onFailure: pause, keeping what is done', () => {
    const plan = { ...PLAN, onFailure: 'pause' as const };
    const fleet = twentyClusters();
    let state = fleet.step(plan, startRollout(plan, 'web', 'r2', [...fleet.views.values()]));
    fleet.report('c00', state, { health: 'DEGRADED', terminal: true, reason: 'ProgressDeadlineExceeded' });
    state = fleet.step(plan, state);
    expect(state.phase).toBe('Paused');
    expect(state.reason).toContain('terminally degraded: ProgressDeadlineExceeded');
    fleet.now += 60_000;
    expect(fleet.step(plan, state).phase).toBe('Paused');
    expect(fleet.views.get('c00')!.desiredHash).toBe('new');
  });

  it('is terminal and loud when a rollback fails', () => {
    const fleet = twentyClusters();
    let state = fleet.step(PLAN, startRollout(PLAN, 'web', 'r2', [...fleet.views.values()]));
    fleet.report('c00', state, { phase: 'FAILED', health: 'DEGRADED', reason: 'admission webhook denied' });
    state = fleet.step(PLAN, state);
    expect(state.phase).toBe('RollingBack');
    fleet.now += PLAN.progressDeadlineMs + 1;
    const decision = decideRollout(PLAN, state, [...fleet.views.values()], new Set(), fleet.now);
    expect(decision.state.phase).toBe('Failed');
    expect(decision.events.join('\n')).toContain('ROLLBACK FAILED');
    expect(decision.actions).toEqual([]);
  });

  it('tolerates failures within the budget', () => {
    const plan = { ...PLAN, maxFailures: 1 };
    const fleet = twentyClusters();
    let state = fleet.step(plan, startRollout(plan, 'web', 'r2', [...fleet.views.values()]));
    fleet.report('c00', state, { phase: 'FAILED', reason: 'x' });
    state = fleet.step(plan, state);
    expect(state.phase).toBe('Progressing');
    expect(state.wave).toBe(1);
  });

  it('waits for an approval, which may be given before the wave is reached', () => {
    const plan: RolloutPlan = { ...PLAN, waves: [PLAN.waves[0]!, { ...PLAN.waves[2]!, approval: true }], bakeMs: 0 };
    const fleet = new Fleet();
    fleet.add('canary', { canary: 'true' });
    fleet.add('x', {});
    let state = fleet.step(plan, startRollout(plan, 'web', 'r2', [...fleet.views.values()]));
    fleet.reportAllAdmitted(state);
    state = fleet.step(plan, state);
    expect(state.phase).toBe('WaitingForApproval');
    expect(fleet.admittedAt).toEqual(['canary']);
    const early = fleet.step(plan, startRollout(plan, 'web', 'r3', [...fleet.views.values()]), new Set(['rest']));
    expect(early.phase).toBe('Progressing');
    expect(fleet.step(plan, state, new Set(['rest'])).phase).toBe('Progressing');
    expect(fleet.admittedAt).toContain('x');
  });

  it('admits no disconnected cluster; an admitted one fails only at its deadline', () => {
    const fleet = new Fleet();
    fleet.add('a', {});
    fleet.views.get('a')!.connected = false;
    let state = fleet.step(PLAN, startRollout(PLAN, 'web', 'r2', [...fleet.views.values()]));
    expect(fleet.admittedAt).toEqual([]);
    fleet.views.get('a')!.connected = true;
    state = fleet.step(PLAN, state);
    fleet.views.get('a')!.connected = false;
    fleet.now += PLAN.progressDeadlineMs / 2;
    state = fleet.step(PLAN, state);
    expect(state.clusters.a!.phase).toBe('Admitted');
    fleet.now += PLAN.progressDeadlineMs;
    expect(fleet.step(PLAN, state).phase).toBe('RollingBack');
  });

  it('lets clusters join their wave, at once when it is finished, and drops clusters that leave', () => {
    const plan = { ...PLAN, bakeMs: 0 };
    const fleet = twentyClusters();
    let state = startRollout(plan, 'web', 'r2', [...fleet.views.values()]);
    for (let tick = 0; tick < 10 && state.wave < 2; tick += 1) {
      state = fleet.step(plan, state);
      fleet.reportAllAdmitted(state);
    }
    expect(state.wave).toBe(2);
    fleet.add('late-canary', { canary: 'true' });
    fleet.views.delete('c10');
    state = fleet.step(plan, state);
    expect(fleet.admittedAt).toContain('late-canary');
    expect(state.clusters.c10).toBeUndefined();
    for (let tick = 0; tick < 20 && state.phase !== 'Succeeded'; tick += 1) {
      fleet.reportAllAdmitted(state);
      state = fleet.step(plan, state);
    }
    expect(state.phase).toBe('Succeeded');
    fleet.add('after', {});
    expect(fleet.step(plan, state).phase).toBe('Succeeded');
    expect(fleet.admittedAt.at(-1)).toBe('after');
  });

  it('fails a cluster whose target cannot be rendered', () => {
    const fleet = new Fleet();
    fleet.add('a', { canary: 'true' });
    let state = fleet.step(PLAN, startRollout(PLAN, 'web', 'r2', [...fleet.views.values()]));
    fleet.views.get('a')!.renderError = 'cm.yaml:3: undefined variable';
    state = fleet.step(PLAN, state);
    expect(state.phase).toBe('RollingBack');
    expect(state.reason).toContain('render error: cm.yaml:3');
  });

  it('is a pure function of its inputs', () => {
    const fleet = twentyClusters();
    const state = startRollout(PLAN, 'web', 'r2', [...fleet.views.values()]);
    const frozen = structuredClone(state);
    const a = decideRollout(PLAN, state, [...fleet.views.values()], new Set(), 5);
    const b = decideRollout(PLAN, state, [...fleet.views.values()], new Set(), 5);
    expect(a).toEqual(b);
    expect(state).toEqual(frozen);
  });
});

describe('removals, suspension and moving targets', () => {
  const ONE_AT_A_TIME: RolloutPlan = { ...PLAN, waves: [{ name: 'canary', selector: { matchLabels: { canary: 'true' } }, maxConcurrent: 1, approval: false }, { name: 'rest', maxConcurrent: 1, approval: false }] };

  it('removes a bundle wave by wave, one cluster at a time, each done once the agent reports it removed', () => {
    const fleet = new Fleet();
    fleet.add('a', { canary: 'true' }, 'old', null as unknown as string);
    fleet.add('b', {}, 'old', null as unknown as string);
    fleet.add('c', {}, 'old', null as unknown as string);
    let state = fleet.step(ONE_AT_A_TIME, startRollout(ONE_AT_A_TIME, 'web', 'r2', [...fleet.views.values()]));
    expect(fleet.admittedAt).toEqual(['a']);
    state = fleet.step(ONE_AT_A_TIME, state);
    expect(fleet.admittedAt).toEqual(['a']); // not removed yet: the next wave waits
    fleet.report('a', state, { phase: 'REMOVED', health: 'UNKNOWN' });
    state = fleet.step(ONE_AT_A_TIME, state);
    expect(state.clusters.a!.phase).toBe('Done');
    expect(fleet.admittedAt).toEqual(['a', 'b']);
    fleet.report('b', state, { phase: 'REMOVED', health: 'UNKNOWN' });
    state = fleet.step(ONE_AT_A_TIME, state);
    fleet.report('c', state, { phase: 'REMOVED', health: 'UNKNOWN' });
    state = fleet.step(ONE_AT_A_TIME, state);
    expect(fleet.admittedAt).toEqual(['a', 'b', 'c']);
    expect(state.phase).toBe('Succeeded');
  });

  it('a removed cluster that is targeted again joins with nothing to roll back to', () => {
    const fleet = new Fleet();
    fleet.add('a', {}, 'old', 'new');
    fleet.views.get('a')!.removed = true;
    const state = startRollout(PLAN, 'web', 'r2', [...fleet.views.values()]);
    expect(state.clusters.a).toMatchObject({ phase: 'Pending', previousHash: null, targetHash: 'new' });
  });

  it('a suspended cluster is never admitted and drops out of the accounting, so it does not block its wave', () => {
    const fleet = new Fleet();
    fleet.add('a', { canary: 'true' });
    fleet.add('b', { canary: 'true' });
    fleet.views.get('b')!.suspended = true;
    let state = fleet.step(PLAN, startRollout(PLAN, 'web', 'r2', [...fleet.views.values()]));
    expect(Object.keys(state.clusters)).toEqual(['a']);
    fleet.report('a', state);
    state = fleet.step(PLAN, state);
    fleet.now += PLAN.bakeMs;
    state = fleet.step(PLAN, state);
    expect(state.phase).toBe('Succeeded');
    expect(fleet.admittedAt).toEqual(['a']);
    fleet.views.get('b')!.suspended = false; // resumed: it joins the finished rollout and is admitted at once
    fleet.step(PLAN, state);
    expect(fleet.admittedAt).toEqual(['a', 'b']);
  });

  it('a done cluster whose target moves under the same content goes back to its wave', () => {
    const fleet = new Fleet();
    fleet.add('a', {});
    let state = fleet.step(PLAN, startRollout(PLAN, 'web', 'r2', [...fleet.views.values()]));
    fleet.report('a', state);
    state = fleet.step(PLAN, state);
    fleet.now += PLAN.bakeMs;
    state = fleet.step(PLAN, state);
    expect(state.phase).toBe('Succeeded');
    fleet.views.get('a')!.targetHash = null as unknown as string; // no longer targeted
    state = fleet.step(PLAN, state);
    expect(state.clusters.a).toMatchObject({ phase: 'Admitted', previousHash: 'new', targetHash: null });
  });

  it('restores the previous revision with the previous hash, and never rolls back twice', () => {
    const fleet = new Fleet();
    fleet.add('a', {});
    fleet.views.get('a')!.desiredRevision = 'r1';
    const state = fleet.step(PLAN, startRollout(PLAN, 'web', 'r2', [...fleet.views.values()]));
    const first = beginRollback(state, 5);
    expect(first).toEqual([{ kind: 'rollback', clusterId: 'a', hash: 'old', revision: 'r1' }]);
    expect(state.phase).toBe('RollingBack');
    expect(beginRollback(state, 6)).toEqual([]);
  });
});

import { sample } from '../agent-process/agent-process.support.js';
import { deployment, RolloutFleet, webSpec } from './rollout-fleet.support.js';

/**
 * Changes during a rollout, against a real hub and PostgreSQL with simulated agent statuses:
 * supersede, clusters joining and leaving, approvals given early or expired, and a late status
 * of an older generation.
 */
describe('rollouts under change', () => {
  let fleet: RolloutFleet;
  const ids = new Map<string, string>();

  beforeAll(async () => {
    fleet = await RolloutFleet.start({ 'web/flotilla.yaml': webSpec({ restApproval: true }), 'web/deploy.yaml': deployment('1') });
    for (let i = 0; i < 10; i += 1) {
      const name = `c${String(i).padStart(2, '0')}`;
      ids.set(name, await fleet.createCluster(name, { env: 'prod', ...(i === 0 ? { canary: 'true' } : i <= 4 ? { ring: '1' } : {}) }));
    }
    await fleet.addSource();
  });

  afterAll(async () => {
    await fleet?.close();
  });

  it('waits for the approval of the last wave; an approval given before the wave is reached is honoured', async () => {
    await fleet.until(async () => (await fleet.rollout())?.phase === 'WaitingForApproval', 'the first rollout to wait for approval of "rest"');
    const waiting = (await fleet.rollout())!;
    expect(waiting.currentWave).toBe('rest');
    expect(waiting.waves.map((w) => [w.name, w.state, w.done, w.total])).toEqual([
      ['canary', 'Complete', 1, 1],
      ['second', 'Complete', 4, 4],
      ['rest', 'WaitingForApproval', 0, 5],
    ]);
    await fleet.gql('mutation($id: ID!) { approveRolloutWave(rolloutId: $id, wave: "rest") { id } }', { id: waiting.id });
    await fleet.until(() => fleet.phaseIs('Succeeded'), 'the first rollout to succeed');

    // v2: the approval of "rest" is given while the canary is still baking.
    await fleet.commit({ 'web/deploy.yaml': deployment('2') }, 'v2');
    await fleet.until(async () => (await fleet.rollout())?.revision !== waiting.revision, 'the second rollout to start');
    const second = (await fleet.rollout())!;
    expect(second.waves[0]!.state).not.toBe('Complete');
    const approved = await fleet.gql<{ approveRolloutWave: { waves: { name: string; approved: boolean; approvedUntil: string | null }[] } }>(
      'mutation($id: ID!) { approveRolloutWave(rolloutId: $id, wave: "rest", expiresInMinutes: 30) { waves { name approved approvedUntil } } }',
      { id: second.id },
    );
    const rest = approved.approveRolloutWave.waves.find((w) => w.name === 'rest')!;
    expect(rest.approved).toBe(true);
    expect(Date.parse(rest.approvedUntil!)).toBeGreaterThan(Date.now() + 29 * 60_000);
    const phases = new Set<string>();
    await fleet.until(async () => {
      const phase = (await fleet.rollout())!.phase;
      phases.add(phase);
      return phase === 'Succeeded';
    }, 'the second rollout to succeed without waiting');
    expect(phases.has('WaitingForApproval')).toBe(false);
  });

  it('does not honour an approval that expired before the wave was reached', async () => {
    await fleet.commit({ 'web/deploy.yaml': deployment('3') }, 'v3');
    await fleet.until(async () => (await fleet.rollout())?.waves[0]?.state === 'Progressing', 'the third rollout to start');
    const third = (await fleet.rollout())!;
    await fleet.gql('mutation($id: ID!) { approveRolloutWave(rolloutId: $id, wave: "rest", expiresInMinutes: 1) { id } }', { id: third.id });
    // The smallest expiry the API takes is a minute: age this approval on the database clock instead of waiting.
    await fleet.db.query(`UPDATE rollout_approvals SET expires_at = now() - interval '1 second' WHERE rollout_id = $1`, [third.id]);
    await fleet.until(() => fleet.phaseIs('WaitingForApproval'), 'the third rollout to wait for a fresh approval');
    const waiting = (await fleet.rollout())!;
    expect(waiting.waves[2]).toMatchObject({ approved: false, state: 'WaitingForApproval', admitted: 0 });
    await fleet.gql('mutation($id: ID!) { approveRolloutWave(rolloutId: $id, wave: "rest") { id } }', { id: third.id });
    await fleet.until(() => fleet.phaseIs('Succeeded'), 'the third rollout to succeed once approved again');
  });

  it('a new commit in the middle of wave 2 supersedes the rollout, and the newest revision reaches every cluster', async () => {
    await fleet.commit({ 'web/flotilla.yaml': webSpec(), 'web/deploy.yaml': deployment('4') }, 'v4, no approval');
    await fleet.until(async () => {
      const second = (await fleet.rollout())?.waves[1];
      return second !== undefined && second.done >= 1 && second.done < second.total;
    }, 'wave "second" of the fourth rollout to be part done');
    const superseded = (await fleet.rollout())!;
    const v5 = await fleet.commit({ 'web/deploy.yaml': deployment('5') }, 'v5');
    await fleet.until(async () => (await fleet.rollout())?.revision === v5, 'the fifth rollout to start');
    const old = await fleet.rolloutById(superseded.id);
    expect(old.phase).toBe('Superseded');
    expect(old.reason).toContain(v5.slice(0, 12));
    // Once superseded, the old rollout never changes again, and no cluster gets its content afterwards.
    const frozen = (await fleet.db.query(`SELECT state FROM rollouts WHERE id = $1`, [superseded.id])).rows[0].state;
    await fleet.until(() => fleet.phaseIs('Succeeded'), 'the fifth rollout to succeed');
    expect((await fleet.db.query(`SELECT state FROM rollouts WHERE id = $1`, [superseded.id])).rows[0].state).toEqual(frozen);
    const fifth = (await fleet.rollout())!;
    // It started over from the first wave: the canary was admitted again at v5.
    expect(fifth.waves[0]!.members.map((m) => m.state)).toEqual(['Done']);
    const rows = await fleet.rows();
    expect(rows.every((row) => row.desired_hash === row.target_hash && row.desired_revision === v5)).toBe(true);
  });

  it('a cluster registered during wave 1 ends at the newest revision; a cluster deleted mid-rollout does not block it', async () => {
    fleet.broken.add('c03'); // it will sit admitted, never healthy, until deleted
    const v6 = await fleet.commit({ 'web/deploy.yaml': deployment('6') }, 'v6');
    await fleet.until(async () => (await fleet.rollout())?.revision === v6, 'the sixth rollout to start');
    await fleet.createCluster('late-1', { env: 'prod' });
    await fleet.until(async () => (await fleet.rollout())!.waves[1]!.members.some((m) => m.cluster === 'c03' && m.state === 'Admitted'), 'c03 to be admitted');
    await fleet.gql('mutation { deleteCluster(name: "c03") { id } }');
    await fleet.until(() => fleet.phaseIs('Succeeded'), 'the sixth rollout to succeed without c03', 15_000);
    const sixth = (await fleet.rollout())!;
    expect(sixth.waves.flatMap((w) => w.members.map((m) => m.cluster))).not.toContain('c03');
    expect(sixth.waves[2]!.members.map((m) => m.cluster)).toContain('late-1');
    const late = (await fleet.rows()).find((row) => row.cluster === 'late-1')!;
    expect(late).toMatchObject({ desired_revision: v6 });
    expect(late.desired_hash).toBe(late.target_hash);
    fleet.broken.delete('c03');
  });

  it('a late status of an older generation never counts as done', async () => {
    fleet.broken.add('c00');
    const v7 = await fleet.commit({ 'web/deploy.yaml': deployment('7') }, 'v7');
    await fleet.until(async () => {
      const view = await fleet.rollout();
      return view?.revision === v7 && view.waves[0]!.members[0]?.state === 'Admitted';
    }, 'the canary to be admitted at v7');
    const canaryId = ids.get('c00')!;
    const { rows } = await fleet.db.query(`SELECT desired_generation::text AS g FROM bundle_deployments WHERE cluster_id = $1`, [canaryId]);
    const admitted = BigInt(rows[0].g);
    // What the agent says about the generation before (for instance a status delayed in flight): Applied and Healthy.
    await fleet.db.query(
      `UPDATE bundle_statuses SET generation = $2, seq = 999999, phase = 'APPLIED', health = 'HEALTHY' WHERE cluster_id = $1`,
      [canaryId, (admitted - 1n).toString()],
    );
    const watchUntil = Date.now() + 1_200; // four bake times: long enough to be counted done if it were
    while (Date.now() < watchUntil) {
      expect((await fleet.rollout())!.waves[0]!.members[0]!.state).toBe('Admitted');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    fleet.broken.delete('c00');
    await fleet.until(() => fleet.phaseIs('Succeeded'), 'the seventh rollout to succeed once the admitted generation is healthy');
  });

  it('exposes flotilla_rollout_* metrics that match the persisted rollouts', async () => {
    const text = await (await fetch(`${fleet.hub.url}/metrics`)).text();
    const byPhase = (await fleet.db.query(`SELECT phase, count(*)::int AS n FROM rollouts GROUP BY phase`)).rows as { phase: string; n: number }[];
    for (const { phase, n } of byPhase) expect(sample(text, 'flotilla_rollout_rollouts', { state: phase })).toBe(n);
    expect(byPhase.find((p) => p.phase === 'Superseded')?.n).toBe(1);
    const view = (await fleet.rollout())!;
    for (const wave of view.waves) {
      expect(sample(text, 'flotilla_rollout_wave_clusters_done', { bundle: 'web', wave: wave.name })).toBe(wave.done);
      expect(sample(text, 'flotilla_rollout_wave_clusters_failed', { bundle: 'web', wave: wave.name })).toBe(0);
    }
    // Every rollout that ended in this hub's life was timed once, by outcome.
    const ended = byPhase.filter((p) => p.phase === 'Succeeded' || p.phase === 'Superseded');
    for (const { phase, n } of ended) expect(sample(text, 'flotilla_rollout_duration_seconds_count', { outcome: phase })).toBe(n);
    expect(sample(text, 'flotilla_rollout_decision_seconds_count')).toBeGreaterThan(10);
    expect(sample(text, 'flotilla_rollout_decision_seconds_sum')).toBeGreaterThan(0);
  });
});

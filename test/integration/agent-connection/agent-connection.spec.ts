import { createHash, X509Certificate } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  AgentConnection,
  AgentStateError,
  EncryptedFileStateStore,
  type AgentConnectionOptions,
  type AgentIdentity,
  type AgentStateStore,
  type PersistedBundle,
} from '@flotilla/agent-connection';
import { csrPublicKeySha256 } from '@flotilla/pki';
import { DeletionPolicy, Phase } from '@flotilla/protocol';
import { bundleReport, desiredMessage, FakeHub, HUB_NAME, RecordingReconciler, serialOf, stateDir, until } from './fake-hub.support.js';

const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };

describe('AgentConnection against a hub over mutual TLS', () => {
  let hub: FakeHub;
  let state: Awaited<ReturnType<typeof stateDir>>;
  let identity: AgentIdentity;
  const connections: AgentConnection[] = [];

  beforeEach(async () => {
    hub = await FakeHub.start();
    state = await stateDir();
    identity = await hub.identity();
  });
  afterEach(async () => {
    await Promise.all(connections.splice(0).map((connection) => connection.stop()));
    hub.close();
    await state.remove();
  });

  async function agent(options: Partial<AgentConnectionOptions> & { store?: AgentStateStore; holding?: PersistedBundle[]; identity?: AgentIdentity | null } = {}) {
    const store = options.store ?? new EncryptedFileStateStore(state.dir, state.keyring);
    if (options.identity !== null) await store.saveIdentity(options.identity ?? identity);
    for (const record of options.holding ?? []) await store.saveBundle(record);
    const reconciler = (options.reconciler as RecordingReconciler | undefined) ?? new RecordingReconciler();
    const counts = { opened: 0, welcomed: 0, disconnected: 0, acked: [] as string[], rejected: [] as string[] };
    const connection = new AgentConnection({
      registrationAddress: '127.0.0.1:1',
      hubAddress: hub.address,
      hubCaPem: hub.caPem,
      tlsServerName: HUB_NAME,
      agentVersion: 'test',
      logger: quiet,
      backoff: { initialMs: 10, factor: 2, jitter: 0.2, maxMs: 200 },
      ...options,
      store,
      reconciler,
      observer: {
        streamOpened: () => counts.opened++,
        welcomed: () => counts.welcomed++,
        disconnected: () => counts.disconnected++,
        acked: (bundle, generation) => counts.acked.push(`${bundle}:${generation}`),
        rejected: (bundle) => counts.rejected.push(bundle),
        ...options.observer,
      },
    });
    connections.push(connection);
    return { connection, reconciler, store, counts };
  }

  const web3: PersistedBundle = { kind: 'desired', bundle: 'web', generation: '3', hash: desiredMessage('web', 3n).hash, revision: 'rev-3', contentJson: desiredMessage('web', 3n).contentJson, dependsOn: [], suspend: false };
  const db5: PersistedBundle = { kind: 'removed', bundle: 'db', generation: '5', deletionPolicy: 'orphan' };

  it('hands what it holds to the reconciler first, then says Hello listing it, and heartbeats at the Welcome interval', async () => {
    hub.heartbeatIntervalMs = 40;
    const log: string[] = [];
    const { connection, reconciler } = await agent({ holding: [web3, db5], reconciler: new RecordingReconciler(log), kubernetesVersion: 'v1.35.0', capabilities: ['ssa'], observer: { streamOpened: () => log.push('stream') } });
    await connection.start();
    await until(() => hub.received('heartbeat').length >= 5, 'five heartbeats');
    expect(log).toEqual(['reconciler:web:3', 'stream']);
    expect(reconciler.calls.map(([kind, value]) => [kind, value && typeof value === 'object' ? `${value.bundle}:${value.generation}` : value])).toEqual([
      ['remove', 'db:5'],
      ['desired', 'web:3'],
    ]);
    const stream = hub.latest!;
    const hello = stream.messages[0]!;
    expect(hello.seq).toBe(1n);
    expect(hello.body).toEqual({
      $case: 'hello',
      value: {
        protocolVersion: 1,
        agentVersion: 'test',
        capabilities: ['ssa'],
        kubernetesVersion: 'v1.35.0',
        known: [
          { bundle: 'db', generation: 5n, hash: '', removed: true },
          { bundle: 'web', generation: 3n, hash: web3.kind === 'desired' ? web3.hash : '', removed: false },
        ],
      },
    });
    expect(stream.messages.map((m) => m.seq)).toEqual(stream.messages.map((_m, i) => BigInt(i + 1)));
    const beats = stream.messages.filter((m) => m.body?.$case === 'heartbeat').map((m) => m.receivedAt);
    const gaps = beats.slice(1).map((at, i) => at - beats[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(25);
    expect(gaps.reduce((a, b) => a + b, 0) / gaps.length).toBeLessThan(150);
    expect(hub.received('renew')).toEqual([]);
    expect(connection.connected).toBe(true);
  });

  it('persists a Desired, then acknowledges it, then hands it to the reconciler', async () => {
    const log: string[] = [];
    const inner = new EncryptedFileStateStore(state.dir, state.keyring);
    const store: AgentStateStore = {
      loadPrivateKey: () => inner.loadPrivateKey(),
      savePrivateKey: (pem) => inner.savePrivateKey(pem),
      loadIdentity: () => inner.loadIdentity(),
      saveIdentity: (id) => inner.saveIdentity(id),
      loadBundles: () => inner.loadBundles(),
      saveBundle: async (record) => {
        await inner.saveBundle(record);
        log.push(`persisted:${record.bundle}:${record.generation}`);
      },
    };
    const { connection } = await agent({ store, reconciler: new RecordingReconciler(log), observer: { acked: (bundle, generation) => log.push(`ack:${bundle}:${generation}`) } });
    await connection.start();
    await until(() => connection.connected, 'the Welcome');
    hub.send({ body: { $case: 'desired', value: desiredMessage('web', 1n) } });
    await until(() => hub.received('ack').length === 1, 'the ack');
    await until(() => log.length === 3, 'the hand-over');
    expect(log).toEqual(['persisted:web:1', 'ack:web:1', 'reconciler:web:1']);
    expect(hub.received('ack')).toEqual([{ bundle: 'web', generation: 1n }]);
    expect(await new EncryptedFileStateStore(state.dir, state.keyring).loadBundles()).toMatchObject([{ kind: 'desired', bundle: 'web', generation: '1', contentJson: desiredMessage('web', 1n).contentJson }]);
  });

  it('neither acknowledges nor applies a tampered hash or an old generation, and re-acknowledges a redelivery', async () => {
    const { connection, reconciler, counts } = await agent();
    await connection.start();
    await until(() => connection.connected, 'the Welcome');
    const tampered = { ...desiredMessage('web', 6n), hash: `sha256:${createHash('sha256').update('something else').digest('hex')}` };
    for (const message of [desiredMessage('web', 5n), tampered, desiredMessage('web', 4n), desiredMessage('web', 5n), desiredMessage('web', 7n)]) {
      hub.send({ body: { $case: 'desired', value: message } });
    }
    await until(() => hub.received('ack').length === 3, 'three acks');
    expect(hub.received('ack').map((a) => a.generation)).toEqual([5n, 5n, 7n]);
    expect(counts.rejected).toEqual(['web', 'web']);
    expect(reconciler.calls.map(([, value]) => (value as { generation: bigint }).generation)).toEqual([5n, 7n]);
    expect(await new EncryptedFileStateStore(state.dir, state.keyring).loadBundles()).toMatchObject([{ bundle: 'web', generation: '7' }]);
  });

  it('persists a Remove as a tombstone before acking it; passes SyncNow on and ignores Ping', async () => {
    const { connection, reconciler } = await agent({ holding: [web3] });
    await connection.start();
    await until(() => connection.connected, 'the Welcome');
    hub.send({ body: { $case: 'ping', value: { sentAtUnixMs: 1n } } });
    hub.send({ body: { $case: 'remove', value: { bundle: 'web', generation: 4n, deletionPolicy: DeletionPolicy.DELETION_POLICY_DELETE } } });
    hub.send({ body: { $case: 'syncNow', value: { bundle: 'web' } } });
    hub.send({ body: { $case: 'syncNow', value: { bundle: '' } } });
    await until(() => reconciler.calls.length === 4, 'four reconciler calls');
    expect(reconciler.calls.slice(1)).toEqual([
      ['syncNow', 'web'],
      ['syncNow', undefined],
      ['remove', { bundle: 'web', generation: 4n, deletionPolicy: 'delete' }],
    ]);
    // The ack is written before the hand-over, but reaches the hub over the network after it.
    await until(() => hub.received('ack').length > 0, 'the ack');
    expect(hub.received('ack')).toEqual([{ bundle: 'web', generation: 4n }]);
    expect(await new EncryptedFileStateStore(state.dir, state.keyring).loadBundles()).toEqual([{ kind: 'removed', bundle: 'web', generation: '4', deletionPolicy: 'delete' }]);
  });

  it('keeps only the newest report per bundle while disconnected and sends them after the next Welcome', async () => {
    const written: string[] = [];
    const { connection, reconciler, counts } = await agent({ observer: { statusSent: (bundle) => written.push(bundle) } });
    await connection.start();
    await until(() => connection.connected, 'the Welcome');
    reconciler.emit(bundleReport('web', 'Applying', 1n));
    await until(() => hub.received('status').length === 1, 'the first status');
    hub.behaviour = 'refuse';
    hub.failAll();
    await until(() => !connection.connected && hub.streams.length >= 3, 'refused reconnects');
    reconciler.emit(bundleReport('web', 'Applied', 1n));
    reconciler.emit(bundleReport('db', 'Applying', 2n));
    reconciler.emit(bundleReport('web', 'Failed', 2n));
    reconciler.emit(bundleReport('db', 'Applied', 2n));
    hub.behaviour = 'welcome';
    await until(() => counts.welcomed === 2, 'the second Welcome');
    reconciler.emit(bundleReport('marker', 'Applied'));
    await until(() => hub.received('status').some((s) => s.bundle === 'marker'), 'the marker');
    const sent = hub.latest!.messages.filter((m) => m.body?.$case === 'status').map((m) => (m.body?.$case === 'status' ? `${m.body.value.bundle}:${m.body.value.generation}:${Phase[m.body.value.phase]}` : ''));
    expect(sent).toEqual(['web:2:PHASE_FAILED', 'db:2:PHASE_APPLIED', 'marker:1:PHASE_APPLIED']);
    // The observer hears of exactly the statuses written: the first stream's one, then these three.
    expect(written).toEqual(['web', 'web', 'db', 'marker']);
  });

  it('pushes back when the hub stops reading: reports wait in its own queue (newest per bundle), not in the transport', async () => {
    const written: string[] = [];
    const { connection, reconciler } = await agent({ observer: { statusSent: (bundle) => written.push(bundle) } });
    await connection.start();
    await until(() => connection.connected, 'the Welcome');
    hub.latest!.call.pause(); // as the hub does while its status ingestion is backlogged
    const report = (bundle: string, reason: string) => ({ ...bundleReport(bundle, 'Applied'), reason: reason.padEnd(4_096, '.') });
    const bundles = Array.from({ length: 400 }, (_, i) => `b-${i}`);
    for (const bundle of bundles) reconciler.emit(report(bundle, 'first'));
    let stableSince = { count: -1, at: Date.now() };
    await until(() => {
      if (written.length !== stableSince.count) stableSince = { count: written.length, at: Date.now() };
      return Date.now() - stableSince.at > 300;
    }, 'the writes to stop');
    // 1.6 MB of reports, and only the flow-control window's worth (and the socket's) was written:
    // a transport that kept buffering (grpc-js's retry buffer takes 1 MiB per call) would have taken ~250.
    expect(written.length).toBeLessThan(100);
    const waiting = bundles.filter((bundle) => !written.includes(bundle));
    for (const bundle of waiting) reconciler.emit(report(bundle, 'second'));
    hub.latest!.call.resume();
    await until(() => written.length === bundles.length, 'every bundle’s report to be written');
    await until(() => hub.received('status').length === bundles.length, 'every report at the hub');
    // Each bundle's report crossed once: those written before the pause as they were, the others only in their newest form.
    const reasons = new Map(hub.received('status').map((status) => [status.bundle, status.reason.replace(/\.+$/, '')]));
    expect(bundles.filter((bundle) => reasons.get(bundle) === 'second')).toEqual(waiting);
  });

  it('reopens from one place: exactly one stream per attempt, with bounded backoff reset by a Welcome', async () => {
    hub.heartbeatIntervalMs = 20;
    hub.behaviour = 'fail-after-hello';
    const { connection, counts } = await agent();
    await connection.start();
    await until(() => hub.streams.length >= 4, 'failed attempts');
    hub.behaviour = 'end-after-hello';
    await until(() => hub.streams.length >= 7, 'ended attempts');
    hub.behaviour = 'refuse';
    await until(() => hub.streams.length >= 9, 'refused attempts');
    hub.behaviour = 'welcome';
    await until(() => counts.welcomed === 1, 'the Welcome');
    await until(() => hub.latest!.messages.filter((m) => m.body?.$case === 'heartbeat').length >= 5, 'heartbeats on the welcomed stream');
    const attempts = hub.streams.length;
    expect(counts.opened).toBe(attempts);
    expect(counts.disconnected).toBe(attempts - 1);
    expect(hub.streams.filter((s) => !s.closed)).toHaveLength(1);
    const openings = hub.streams.map((s) => s.openedAt);
    const gaps = openings.slice(1).map((at, i) => at - openings[i]!);
    expect(Math.max(...gaps)).toBeLessThan(200 * 1.2 + 400);

    hub.failAll();
    await until(() => counts.welcomed === 2, 'the Welcome after a reset backoff');
    expect(hub.streams).toHaveLength(attempts + 1);
    expect(hub.latest!.openedAt - openings.at(-1)!).toBeGreaterThan(0);
  });

  it('gives up on a stream whose Welcome does not come, and opens a new one', async () => {
    hub.behaviour = 'silent';
    const { connection, counts } = await agent({ welcomeTimeoutMs: 50 });
    await connection.start();
    await until(() => hub.streams.length >= 3, 'abandoned streams');
    hub.behaviour = 'welcome';
    await until(() => connection.connected, 'the Welcome');
    expect(counts.opened).toBe(hub.streams.length);
  });

  it('asks for a certificate for the same key when less than a third of its lifetime is left, and uses it from the next stream', async () => {
    identity = await hub.identity(60_000);
    hub.renewValidityMs = 3_600_000;
    const renewed: Date[] = [];
    const { connection, store } = await agent({ observer: { certificateRenewed: (notAfter) => renewed.push(notAfter) } });
    await connection.start();
    await until(() => hub.received('renew').length === 1, 'the renewal request');
    const [request] = hub.received('renew');
    const ownKey = createHash('sha256').update(new X509Certificate(identity.certificatePem).publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
    expect(csrPublicKeySha256(request!.csrPem)).toBe(ownKey);
    await until(() => renewed.length === 1, 'the renewed certificate');
    const stored = (await store.loadIdentity())!;
    expect(stored.privateKeyPem).toBe(identity.privateKeyPem);
    expect(serialOf(stored.certificatePem)).not.toBe(serialOf(identity.certificatePem));
    expect(hub.latest!.certificateSerial).toBe(serialOf(identity.certificatePem));
    hub.failAll();
    await until(() => hub.streams.length === 2 && connection.connected, 'the next stream');
    expect(hub.latest!.certificateSerial).toBe(serialOf(stored.certificatePem));
    expect(hub.received('renew')).toHaveLength(1);
  });

  it('stop() closes the stream, every timer and the reconciler, leaving no handles', async () => {
    const count = () => process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap').length;
    const baseline = count();
    hub.heartbeatIntervalMs = 20;
    const { connection, reconciler } = await agent({ welcomeTimeoutMs: 60_000 });
    await connection.start();
    await until(() => hub.received('heartbeat').length >= 2, 'heartbeats');
    expect(count()).toBeGreaterThan(baseline);
    await connection.stop();
    await until(() => hub.latest!.closed, 'the hub to see the stream end');
    await until(() => count() <= baseline, `handles back to ${baseline} (now ${process.getActiveResourcesInfo().join(', ')})`);
    expect(reconciler.stopped).toBe(true);
    const heartbeats = hub.received('heartbeat').length;
    await until(() => hub.streams.length === 1, 'no new stream');
    expect(hub.received('heartbeat')).toHaveLength(heartbeats);
  });

  it('keeps reconciling what it holds across its own restarts while the hub is down', async () => {
    hub.close();
    const first = await agent({ holding: [web3] });
    await first.connection.start();
    await until(() => first.reconciler.calls.length === 1, 'the hand-over');
    expect(first.reconciler.calls[0]).toEqual(['desired', expect.objectContaining({ bundle: 'web', generation: 3n, hash: web3.kind === 'desired' ? web3.hash : '' })]);
    await until(() => first.counts.disconnected >= 2, 'failed connection attempts');
    expect(first.reconciler.calls).toHaveLength(1);
    await first.connection.stop();

    const second = await agent({ identity: null });
    await second.connection.start();
    expect(second.reconciler.calls).toEqual([['desired', expect.objectContaining({ bundle: 'web', generation: 3n })]]);
    expect(second.connection.connected).toBe(false);
  });

  it('refuses to start on unreadable state, naming the file', async () => {
    const { connection } = await agent({ holding: [web3] });
    await writeFile(join(state.dir, 'bundles', 'web.enc'), 'garbage');
    const error = (await connection.start().catch((e: unknown) => e)) as AgentStateError;
    expect(error).toBeInstanceOf(AgentStateError);
    expect(error.file).toBe(join(state.dir, 'bundles', 'web.enc'));
  });
});

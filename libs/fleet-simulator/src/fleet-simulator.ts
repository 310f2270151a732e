import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EncryptionKeyring } from '@flotilla/crypto';
import { InMemoryClusterClient, SimulatedCluster } from '@flotilla/kube-sim';
import {
  AgentConnection,
  EncryptedFileStateStore,
  SimpleReconciler,
  type AgentLogger,
  type AgentStateStore,
  type BackoffOptions,
  type BundleReport,
  type DesiredBundle,
  type Reconciler,
  type RemovedBundle,
} from '@flotilla/agent-connection';
import { MemoryStateStore } from './memory-state.store.js';

/** What one simulated agent did; `agent` is its index in the fleet (firstIndex-based). */
export type FleetEvent =
  | { readonly type: 'registered'; readonly agent: number; readonly clusterUid: string }
  | { readonly type: 'welcomed'; readonly agent: number }
  | { readonly type: 'acked'; readonly agent: number; readonly bundle: string; readonly generation: bigint }
  | { readonly type: 'rejected'; readonly agent: number; readonly bundle: string; readonly reason: string }
  | { readonly type: 'report'; readonly agent: number; readonly report: BundleReport }
  | { readonly type: 'disconnected'; readonly agent: number; readonly reason: string }
  | { readonly type: 'failed'; readonly agent: number; readonly error: string };

/** A fleet of real AgentConnections in one process; every agent has its own key, certificate, TLS connection and simulated cluster. */
export interface FleetSimulatorOptions {
  readonly agents: number;
  readonly hubAddress: string;
  readonly registrationAddress: string;
  readonly hubCaPem: string;
  readonly tlsServerName?: string;
  /** One bootstrap token per agent (ignored for an agent whose state directory already holds a certificate). */
  readonly tokens: readonly string[];
  /** Each agent keeps its state in `<stateDir>/agent-<index>`. */
  readonly stateDir: string;
  /** Index of the first agent, so several processes can share one numbering; default 0. */
  readonly firstIndex?: number;
  /**
   * Keep the agents' state in memory instead of `stateDir` (benchmarks of the hub: no shared-disk
   * fsync queue; nothing survives the process). Default false: encrypted files, as real agents.
   */
  readonly memoryState?: boolean;
  /** Key for the agents' state; default: one generated into `<stateDir>/state.key` on first use. */
  readonly encryptionKeySpec?: string;
  /** How many agents start (and register) at once; default 64. */
  readonly startConcurrency?: number;
  readonly backoff?: Partial<BackoffOptions>;
  readonly welcomeTimeoutMs?: number;
  readonly onEvent?: (event: FleetEvent) => void;
  readonly logger?: AgentLogger;
}

/** One simulated cluster and its agent. */
export interface SimulatedAgent {
  readonly index: number;
  readonly connection: AgentConnection;
  readonly cluster: SimulatedCluster;
  readonly store: AgentStateStore;
}

/**
 * A burst of status reports: each flips the health of a bundle an agent has applied (a real change,
 * with its real resources). A bundle gets its next flip only once its last one was written to the
 * stream: the connection keeps only the newest report per bundle, so a flip made while the last one
 * waited would replace it unsent, and two flips would make no change at all.
 */
export interface StatusStormOptions {
  /** Reports per second over the whole fleet of this process. */
  readonly ratePerSecond: number;
  readonly durationMs: number;
}

/** What a storm did. */
export interface StormResult {
  /** Reports written to the agents' streams: each one a change from the one before it. */
  readonly sent: number;
  /** Reports due at the asked rate but not made, because the bundle's previous one was still waiting to be written. */
  readonly heldBack: number;
  /** Reports made but not written when the storm gave up waiting (a stream that stayed closed). */
  readonly unsent: number;
}

/** A bundle an agent has applied, as a storm varies it. */
interface StormTarget {
  readonly reconciler: SimpleReconciler;
  report: BundleReport;
  /** A flip was made and has not been written yet. */
  waiting: boolean;
}

/** A running fleet; stop() closes every connection and cluster. */
export interface FleetSimulator {
  readonly agents: readonly SimulatedAgent[];
  /** Sends status reports at the given rate; resolves once every one of them has been written to its stream. */
  storm(options: StatusStormOptions): Promise<StormResult>;
  /**
   * From now on each agent hands a new Desired to its reconciler only `ms` after acking it (0: at
   * once, the default). Here hundreds of agents share one core, so one agent's reconcile delays
   * the next agent's ack, where real agents each reconcile on their own cluster's CPU: with a
   * delay, a fan-out measures the hub and the transport alone.
   */
  deferReconciles(ms: number): void;
  stop(): Promise<void>;
}

/** Hands Desired to `inner` after the fleet's current delay; everything else at once. */
class DeferringReconciler implements Reconciler {
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly inner: Reconciler,
    private readonly delayMs: () => number,
  ) {}

  desired(bundle: DesiredBundle): void {
    const delay = this.delayMs();
    if (delay <= 0) return this.inner.desired(bundle);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.inner.desired(bundle);
    }, delay);
    this.timers.add(timer);
  }

  remove(bundle: RemovedBundle): void {
    this.inner.remove(bundle);
  }

  syncNow(bundle?: string): void {
    this.inner.syncNow(bundle);
  }

  onReport(listener: (report: BundleReport) => void): () => void {
    return this.inner.onReport(listener);
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await this.inner.stop();
  }
}

const quiet: AgentLogger = { log: () => undefined, warn: () => undefined, error: (message) => process.stderr.write(`${message}\n`) };

/**
 * Starts `agents` agents against one hub. Resolves once every agent has started (registered
 * where it had to and begun connecting); an agent that fails to start is reported as a `failed`
 * event and left out, so one refused token does not stop the fleet.
 */
export async function runFleetSimulator(options: FleetSimulatorOptions): Promise<FleetSimulator> {
  if (options.tokens.length < options.agents) throw new RangeError(`${options.agents} agents need ${options.agents} tokens, got ${options.tokens.length}`);
  await mkdir(options.stateDir, { recursive: true, mode: 0o700 });
  const keyring = EncryptionKeyring.parse(options.encryptionKeySpec ?? (await fleetKey(options.stateDir)));
  const first = options.firstIndex ?? 0;
  const emit = options.onEvent ?? (() => undefined);
  const agents: SimulatedAgent[] = [];
  // The last Applied report of every (agent, bundle): what a storm varies.
  const applied = new Map<string, StormTarget>();
  const written = { count: 0 };
  let reconcileDelayMs = 0;
  let stopping = false;

  const startOne = async (offset: number): Promise<void> => {
    const index = first + offset;
    const cluster = new SimulatedCluster({ simulatePods: false });
    const reconciler = new SimpleReconciler(new InMemoryClusterClient(cluster));
    reconciler.onReport((report) => {
      if (report.phase === 'Applied') {
        // Updated in place: a storm holds these objects, and its own flips come through here too.
        const target = applied.get(`${index}/${report.bundle}`);
        if (target) target.report = report;
        else applied.set(`${index}/${report.bundle}`, { reconciler, report, waiting: false });
      }
      emit({ type: 'report', agent: index, report });
    });
    const store = options.memoryState ? new MemoryStateStore() : new EncryptedFileStateStore(join(options.stateDir, `agent-${index}`), keyring);
    const connection = new AgentConnection({
      registrationAddress: options.registrationAddress,
      hubAddress: options.hubAddress,
      bootstrapToken: options.tokens[offset],
      hubCaPem: options.hubCaPem,
      tlsServerName: options.tlsServerName,
      store,
      reconciler: new DeferringReconciler(reconciler, () => reconcileDelayMs),
      agentVersion: 'fleet-simulator',
      kubernetesVersion: 'v1.35.0-kube-sim',
      capabilities: ['ssa'],
      backoff: options.backoff,
      welcomeTimeoutMs: options.welcomeTimeoutMs,
      logger: options.logger ?? quiet,
      observer: {
        registered: (clusterUid) => emit({ type: 'registered', agent: index, clusterUid }),
        welcomed: () => emit({ type: 'welcomed', agent: index }),
        acked: (bundle, generation) => emit({ type: 'acked', agent: index, bundle, generation }),
        rejected: (bundle, reason) => emit({ type: 'rejected', agent: index, bundle, reason }),
        disconnected: (reason) => emit({ type: 'disconnected', agent: index, reason }),
        statusSent: (bundle) => {
          const target = applied.get(`${index}/${bundle}`);
          if (!target?.waiting) return;
          target.waiting = false;
          written.count++;
        },
      },
    });
    const agent = { index, connection, cluster, store };
    agents.push(agent);
    try {
      await connection.start();
    } catch (error) {
      emit({ type: 'failed', agent: index, error: (error as Error).message });
      await connection.stop();
      cluster.close();
      agents.splice(agents.indexOf(agent), 1);
    }
  };

  let next = 0;
  const worker = async (): Promise<void> => {
    while (!stopping && next < options.agents) await startOne(next++);
  };
  await Promise.all(Array.from({ length: Math.min(options.startConcurrency ?? 64, options.agents) }, worker));

  return {
    agents,
    storm: (storm) => runStorm([...applied.values()], written, storm),
    deferReconciles: (ms) => {
      reconcileDelayMs = ms;
    },
    stop: async () => {
      stopping = true;
      await Promise.all(agents.map((agent) => agent.connection.stop()));
      for (const agent of agents) agent.cluster.close();
    },
  };
}

const STORM_TICK_MS = 20;
/** How long a storm waits, after its last report, for the last ones to be written. */
const STORM_DRAIN_MS = 60_000;

/**
 * Round-robin over the applied bundles, `ratePerSecond` spread evenly over ticks of STORM_TICK_MS.
 * A slot whose bundle still waits to write its last flip is held back, not made up later: the rate
 * offered is the asked one or less, never a burst to catch up.
 */
async function runStorm(targets: StormTarget[], written: { readonly count: number }, options: StatusStormOptions): Promise<StormResult> {
  if (targets.length === 0 || options.ratePerSecond <= 0) return { sent: 0, heldBack: 0, unsent: 0 };
  const startedAt = performance.now();
  const writtenBefore = written.count;
  let made = 0;
  let heldBack = 0;
  let cursor = 0;
  for (let elapsed = 0; elapsed < options.durationMs; elapsed = performance.now() - startedAt) {
    const due = Math.floor(((elapsed + STORM_TICK_MS) / 1_000) * options.ratePerSecond) - made - heldBack;
    for (let i = 0; i < due; i++) {
      const target = targets[cursor++ % targets.length]!;
      if (target.waiting) {
        heldBack++;
        continue;
      }
      const health = target.report.health === 'Healthy' ? 'Progressing' : 'Healthy';
      target.report = { ...target.report, health, observedAt: new Date() };
      target.waiting = true;
      target.reconciler.publish(target.report);
      made++;
    }
    await new Promise((resolve) => setTimeout(resolve, STORM_TICK_MS));
  }
  const drainBy = performance.now() + STORM_DRAIN_MS;
  while (targets.some((t) => t.waiting) && performance.now() < drainBy) await new Promise((resolve) => setTimeout(resolve, STORM_TICK_MS));
  const sent = written.count - writtenBefore;
  return { sent, heldBack, unsent: made - sent };
}

/** The simulator's own state key, kept beside the agents' state so a restarted simulator can read it. */
async function fleetKey(stateDir: string): Promise<string> {
  const file = join(stateDir, 'state.key');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const spec = EncryptionKeyring.generateSpec('fleet');
    await writeFile(file, `${spec}\n`, { mode: 0o600, flag: 'wx' });
    return spec;
  }
}

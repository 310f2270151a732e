// One fleet-simulator process: reads its configuration as one JSON line on stdin, starts that many
// agents against a hub in another process, and prints small JSON lines — aggregates only, so the
// output does not grow with the fleet (every cluster has its own generation of a bundle).
// A driver spreads a large fleet over several such processes (ulimit -n is 20,000 here).
// Run: node --import ./scripts/register-ts.mjs test/bench/fleet-simulator.process.ts < config.json
// Config: {"agents":N,"hubAddress":"…","registrationAddress":"…","hubCaPem":"…","tlsServerName":"localhost",
//          "tokens":["flb_…",…],"stateDir":"…","firstIndex":0,"summaryIntervalMs":1000}
// Then one command per line on stdin:
//   {"watch":{"bundle":"web","above":"17"}}  count agents whose latest ack of the bundle is above that
//                                            generation; prints {"watch":{…,"allAtMs":…}} the moment all have
//   {"storm":{"ratePerSecond":5000,"durationMs":3000}}  status reports (see FleetSimulator.storm); prints
//                                            {"stormed":{"sent":…,"heldBack":…,"unsent":…,"ms":…}} once all are written
//   {"desiredBytes":{"bundle":"web"}}        the first agent's persisted Desired, encoded as the hub sent it
//   {"reconcileDelayMs":2000}                hand each new Desired to the reconciler that long after the ack
//                                            (see FleetSimulator.deferReconciles); 0: at once again
//   "stats" prints figures; "stop" (or the end of stdin, or SIGTERM) stops and exits.
import { createInterface } from 'node:readline';
import { runFleetSimulator, type FleetEvent, type FleetSimulatorOptions } from '@flotilla/fleet-simulator';
import { HubMessage } from '@flotilla/protocol';

interface ProcessConfig extends Omit<FleetSimulatorOptions, 'onEvent' | 'logger'> {
  readonly summaryIntervalMs?: number;
}

type Command =
  | { readonly watch: { readonly bundle: string; readonly above: string } }
  | { readonly storm: { readonly ratePerSecond: number; readonly durationMs: number } }
  | { readonly desiredBytes: { readonly bundle: string } }
  | { readonly reconcileDelayMs: number };

const print = (value: unknown): void => {
  process.stdout.write(`${JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}\n`);
};

const lines = createInterface({ input: process.stdin });
const iterator = lines[Symbol.asyncIterator]();
const first = await iterator.next();
if (first.done) {
  print({ error: 'no configuration on stdin' });
  process.exit(2);
}
const config = JSON.parse(first.value) as ProcessConfig;
const startedAt = Date.now();

const counts = { registered: 0, welcomed: 0, disconnected: 0, rejected: 0, failed: 0, reports: 0, acks: 0 };
const connected = new Set<number>();
/** bundle → agent → the newest generation it acked. */
const latestAck = new Map<string, Map<number, bigint>>();
let watch: { bundle: string; above: bigint; count: number; allAtMs?: number } | undefined;
let started = config.agents;
const reasons = new Set<string>();
let dirty = false;

const watchLine = () => (watch ? { watch: { bundle: watch.bundle, above: watch.above, count: watch.count, total: started, allAtMs: watch.allAtMs } } : undefined);
const checkWatchDone = (): void => {
  if (watch && watch.allAtMs === undefined && watch.count >= started) {
    watch.allAtMs = Date.now();
    print(watchLine());
  }
};

const onEvent = (event: FleetEvent): void => {
  dirty = true;
  switch (event.type) {
    case 'acked': {
      counts.acks++;
      const byAgent = latestAck.get(event.bundle) ?? new Map<number, bigint>();
      latestAck.set(event.bundle, byAgent);
      const before = byAgent.get(event.agent) ?? 0n;
      if (event.generation > before) byAgent.set(event.agent, event.generation);
      if (watch && event.bundle === watch.bundle && before <= watch.above && event.generation > watch.above) {
        watch.count++;
        checkWatchDone();
      }
      break;
    }
    case 'welcomed':
      counts.welcomed++;
      connected.add(event.agent);
      break;
    case 'failed':
      counts.failed++;
      print({ failed: { agent: event.agent, error: event.error } });
      break;
    case 'report':
      counts.reports++;
      break;
    case 'disconnected':
      counts.disconnected++;
      connected.delete(event.agent);
      // Each distinct reason once: enough to see why without a line per agent and attempt.
      if (!reasons.has(event.reason) && reasons.size < 20) {
        reasons.add(event.reason);
        print({ disconnectReason: event.reason, agent: event.agent });
      }
      break;
    default:
      counts[event.type]++;
  }
};

const summary = (): void => {
  if (!dirty) return;
  dirty = false;
  print({ ...counts, connected: connected.size });
  if (watch) print(watchLine());
};
const timer = setInterval(summary, config.summaryIntervalMs ?? 1_000);

const fleet = await runFleetSimulator({ ...config, onEvent });
started = fleet.agents.length;
const memory = process.memoryUsage();
print({ started: fleet.agents.length, ms: Date.now() - startedAt, rssBytes: memory.rss, rssPerAgentBytes: Math.round(memory.rss / Math.max(1, fleet.agents.length)) });

let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  clearInterval(timer);
  summary();
  await fleet.stop();
  print({ stopped: true });
  lines.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());

const run = async (command: Command): Promise<void> => {
  if ('watch' in command) {
    const above = BigInt(command.watch.above);
    const byAgent = latestAck.get(command.watch.bundle) ?? new Map<number, bigint>();
    watch = { bundle: command.watch.bundle, above, count: [...byAgent.values()].filter((g) => g > above).length };
    print(watchLine());
    checkWatchDone();
  } else if ('storm' in command) {
    const t0 = performance.now();
    const result = await fleet.storm(command.storm);
    print({ stormed: { ...result, ms: Math.round(performance.now() - t0) } });
  } else if ('reconcileDelayMs' in command) {
    fleet.deferReconciles(command.reconcileDelayMs);
    print({ reconcileDelayMs: command.reconcileDelayMs });
  } else if ('desiredBytes' in command) {
    const held = (await fleet.agents[0]!.store.loadBundles()).find((b) => b.bundle === command.desiredBytes.bundle && b.kind === 'desired');
    if (held?.kind !== 'desired') return print({ desiredBytes: null });
    const bytes = HubMessage.encode({
      body: { $case: 'desired', value: { bundle: held.bundle, generation: BigInt(held.generation), hash: held.hash, revision: held.revision, contentJson: held.contentJson, dependsOn: held.dependsOn, suspend: held.suspend } },
    }).finish();
    print({ desiredBytes: Buffer.from(bytes).toString('base64') });
  }
};

for (let line = await iterator.next(); !line.done; line = await iterator.next()) {
  const text = line.value.trim();
  if (text === 'stop') break;
  if (text === 'stats') {
    const usage = process.memoryUsage();
    print({ agents: fleet.agents.length, connected: fleet.agents.filter((a) => a.connection.connected).length, rssBytes: usage.rss, heapUsedBytes: usage.heapUsed });
  } else if (text.startsWith('{')) {
    void run(JSON.parse(text) as Command).catch((error: Error) => print({ error: error.message }));
  }
}
await stop();

// One fleet-simulator process: reads its configuration as one JSON line on stdin, starts that many
// agents against a hub in another process, and prints one small JSON line per event of interest.
// A driver spreads a large fleet over several such processes (ulimit -n is 20,000 here).
// Run: node --import ./scripts/register-ts.mjs test/bench/fleet-simulator.process.ts < config.json
// Config: {"agents":N,"hubAddress":"…","registrationAddress":"…","hubCaPem":"…","tlsServerName":"localhost",
//          "tokens":["flb_…",…],"stateDir":"…","firstIndex":0,"summaryIntervalMs":1000}
// Then on stdin: "stats" prints figures; "stop" (or the end of stdin, or SIGTERM) stops and exits.
import { createInterface } from 'node:readline';
import { runFleetSimulator, type FleetEvent, type FleetSimulatorOptions } from '@flotilla/agent-connection';

interface ProcessConfig extends Omit<FleetSimulatorOptions, 'onEvent' | 'logger'> {
  readonly summaryIntervalMs?: number;
}

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

// Events are counted and printed in summaries, so 10,000 agents do not print 10,000 lines each.
const counts = { registered: 0, welcomed: 0, disconnected: 0, rejected: 0, failed: 0, reports: 0 };
const acked = new Map<string, { bundle: string; generation: string; agents: number; lastAgent: number }>();
const reasons = new Set<string>();
let dirty = false;
const onEvent = (event: FleetEvent): void => {
  dirty = true;
  switch (event.type) {
    case 'acked': {
      const key = `${event.bundle}@${event.generation}`;
      const entry = acked.get(key) ?? { bundle: event.bundle, generation: event.generation.toString(), agents: 0, lastAgent: event.agent };
      entry.agents++;
      entry.lastAgent = event.agent;
      acked.set(key, entry);
      break;
    }
    case 'failed':
      counts.failed++;
      print({ failed: { agent: event.agent, error: event.error } });
      break;
    case 'report':
      counts.reports++;
      break;
    case 'disconnected':
      counts.disconnected++;
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
  print({ registered: counts.registered, welcomed: counts.welcomed, disconnected: counts.disconnected, rejected: counts.rejected, failed: counts.failed, reports: counts.reports });
  for (const entry of acked.values()) print({ acked: entry });
};
const timer = setInterval(summary, config.summaryIntervalMs ?? 1_000);

const fleet = await runFleetSimulator({ ...config, onEvent });
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

for (let line = await iterator.next(); !line.done; line = await iterator.next()) {
  const command = line.value.trim();
  if (command === 'stop') break;
  if (command === 'stats') {
    const usage = process.memoryUsage();
    print({ agents: fleet.agents.length, connected: fleet.agents.filter((a) => a.connection.connected).length, rssBytes: usage.rss, heapUsedBytes: usage.heapUsed });
  }
}
await stop();

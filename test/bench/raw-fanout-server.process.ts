// The raw fan-out baseline's server (raw-fanout.ts) in a process of its own, as the hub is in the
// gateway benchmark: its fan-out has an event loop to itself, and its RSS from /proc is its own, so
// the two are measured the same way.
// Config on stdin (one JSON line): the RawFanoutTls key material. Prints {"ready":{"port":N,"pid":N}}.
// Then one command per line: "connected" prints {"connected":N}; {"fanOut":{"bytes":"<base64>","timeoutMs":N}}
// prints {"fanOut":{"ms":…,"acked":…}} once every stream acked; "stop" exits.
import { createInterface } from 'node:readline';
import { startRawFanoutServer, type RawFanoutTls } from './raw-fanout.js';

const lines = createInterface({ input: process.stdin });
const iterator = lines[Symbol.asyncIterator]();
const first = await iterator.next();
const tls = JSON.parse(first.value as string) as RawFanoutTls;
const server = await startRawFanoutServer(tls);
const print = (value: unknown): void => void process.stdout.write(`${JSON.stringify(value)}\n`);
print({ ready: { port: server.port, pid: process.pid } });

for (let line = await iterator.next(); !line.done; line = await iterator.next()) {
  const text = line.value.trim();
  if (text === 'stop') break;
  if (text === 'connected') print({ connected: server.connected() });
  else if (text.startsWith('{')) {
    const command = JSON.parse(text) as { fanOut?: { bytes: string; timeoutMs: number } };
    if (command.fanOut) {
      const result = await server.fanOut(Buffer.from(command.fanOut.bytes, 'base64'), command.fanOut.timeoutMs).catch((error: Error) => ({ error: error.message }));
      print({ fanOut: result });
    }
  }
}
server.close();
process.exit(0);

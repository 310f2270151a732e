// Clients of the raw fan-out baseline (raw-fanout.ts): each on its own TLS connection with one
// bidi stream; it greets with one byte and answers every message with a one-byte ack.
// Config on stdin (one JSON line): {"port":N,"count":N,"caPem":"…","keyPem":"…","certPem":"…","concurrency":64}
// Prints {"ready":count} once every stream is open and greeted; "stop" on stdin exits.
import { createInterface } from 'node:readline';
import * as grpc from '@grpc/grpc-js';
import { grpcChannelOptions } from '@flotilla/protocol';
import { RAW_FANOUT_SERVICE } from './raw-fanout.js';

interface Config {
  readonly port: number;
  readonly count: number;
  readonly caPem: string;
  readonly keyPem: string;
  readonly certPem: string;
  readonly concurrency?: number;
}

const Client = grpc.makeGenericClientConstructor(RAW_FANOUT_SERVICE, 'RawFanout');
const lines = createInterface({ input: process.stdin });
const iterator = lines[Symbol.asyncIterator]();
const first = await iterator.next();
const config = JSON.parse(first.value as string) as Config;
const credentials = grpc.credentials.createSsl(Buffer.from(config.caPem), Buffer.from(config.keyPem), Buffer.from(config.certPem));
const clients: grpc.Client[] = [];
const ACK = Buffer.from([1]);

const open = async (): Promise<void> => {
  const client = new Client(`127.0.0.1:${config.port}`, credentials, {
    ...grpcChannelOptions('agent'),
    'grpc.use_local_subchannel_pool': 1,
    'grpc.ssl_target_name_override': 'localhost',
    'grpc.default_authority': 'localhost',
  });
  clients.push(client);
  await new Promise<void>((resolve, reject) => client.waitForReady(Date.now() + 60_000, (error) => (error ? reject(error) : resolve())));
  const stream = (client as unknown as { connect(): grpc.ClientDuplexStream<Buffer, Buffer> }).connect();
  stream.on('data', () => stream.write(ACK));
  stream.on('error', (error: Error) => process.stderr.write(`raw client stream failed: ${error.message}\n`));
  stream.write(ACK);
};

let next = 0;
await Promise.all(
  Array.from({ length: Math.min(config.concurrency ?? 64, config.count) }, async () => {
    while (next < config.count) {
      next++;
      await open();
    }
  }),
);
process.stdout.write(`${JSON.stringify({ ready: clients.length })}\n`);
for (let line = await iterator.next(); !line.done; line = await iterator.next()) if (line.value.trim() === 'stop') break;
for (const client of clients) client.close();
process.exit(0);

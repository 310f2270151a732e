// The raw baseline of the gateway's fan-out: a bare grpc-js server, mutual TLS, one bidi stream per
// client connection, that writes the same bytes to every stream (waiting for 'drain' like the hub)
// and counts one-byte acks. No database, no protobuf decoding, no sessions. The clients run in
// raw-fanout-clients.process.ts child processes (file descriptors: ulimit -n is 20,000).
import * as grpc from '@grpc/grpc-js';
import { CertificateAuthority } from '@flotilla/pki';
import { gatewayServerOptions } from '../../apps/hub/src/agent-gateway/gateway-server.options.js';

const identity = (buffer: Buffer): Buffer => buffer;

/** The bare service: raw bytes both ways. */
export const RAW_FANOUT_SERVICE: grpc.ServiceDefinition = {
  connect: {
    path: '/flotilla.bench.RawFanout/Connect',
    requestStream: true,
    responseStream: true,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
};

/** Key material for the baseline: a throwaway CA, the server's certificate, and one client certificate all clients share. */
export interface RawFanoutTls {
  readonly caPem: string;
  readonly serverKeyPem: string;
  readonly serverCertPem: string;
  readonly clientKeyPem: string;
  readonly clientCertPem: string;
}

export async function rawFanoutTls(): Promise<RawFanoutTls> {
  const ca = await CertificateAuthority.create({ commonName: 'raw-fanout-bench' });
  const server = await ca.issue({ subject: 'CN=raw-fanout', usage: 'server', validityMs: 86_400_000, dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
  const client = await ca.issue({ subject: 'CN=raw-client', usage: 'client', validityMs: 86_400_000 });
  return { caPem: ca.certificatePem, serverKeyPem: server.privateKeyPem!, serverCertPem: server.certificatePem, clientKeyPem: client.privateKeyPem!, clientCertPem: client.certificatePem };
}

/** A running baseline server; `fanOut` writes `bytes` to every connected stream and resolves when all have acked. */
export interface RawFanoutServer {
  readonly port: number;
  connected(): number;
  fanOut(bytes: Buffer, timeoutMs: number): Promise<{ readonly ms: number; readonly acked: number }>;
  close(): void;
}

export async function startRawFanoutServer(tls: RawFanoutTls): Promise<RawFanoutServer> {
  // The hub's own server options, so the baseline differs from the hub only in what the hub does.
  const server = new grpc.Server(gatewayServerOptions());
  const streams = new Set<grpc.ServerDuplexStream<Buffer, Buffer>>();
  let onAck: (() => void) | undefined;
  server.addService(RAW_FANOUT_SERVICE, {
    connect: (call: grpc.ServerDuplexStream<Buffer, Buffer>) => {
      let greeted = false;
      call.on('data', () => {
        if (!greeted) {
          greeted = true;
          streams.add(call);
        } else onAck?.();
      });
      const drop = () => streams.delete(call);
      call.on('error', drop);
      call.on('close', drop);
      call.on('end', drop);
    },
  });
  const credentials = grpc.ServerCredentials.createSsl(
    Buffer.from(tls.caPem),
    [{ private_key: Buffer.from(tls.serverKeyPem), cert_chain: Buffer.from(tls.serverCertPem) }],
    true,
  );
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', credentials, (error, bound) => (error ? reject(error) : resolve(bound))));
  return {
    port,
    connected: () => streams.size,
    fanOut: async (bytes, timeoutMs) => {
      const targets = [...streams];
      let acked = 0;
      const startedAt = performance.now();
      const all = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`raw fan-out: ${acked} of ${targets.length} acked within ${timeoutMs} ms`)), timeoutMs);
        onAck = () => {
          if (++acked === targets.length) {
            clearTimeout(timer);
            resolve();
          }
        };
      });
      // One write per stream, as the hub does; a stream that pushes back is not waited for here
      // (grpc-js buffers it), exactly like the hub's pump, which waits per stream, not globally.
      for (const call of targets) call.write(bytes);
      await all;
      onAck = undefined;
      return { ms: performance.now() - startedAt, acked };
    },
    close: () => server.forceShutdown(),
  };
}

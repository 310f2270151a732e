import { CertificateAuthority } from '@flotilla/pki';

/** PEM material of the process-wide kube-sim certificate authority and the certificates it issued. */
export interface TlsMaterial {
  readonly caCert: string;
  /** Server certificate for localhost / 127.0.0.1 / ::1, signed by the CA. */
  readonly serverCert: string;
  readonly serverKey: string;
  /** Client certificate for `kube-sim-admin` in group `system:masters`, for client-certificate auth. */
  readonly clientCert: string;
  readonly clientKey: string;
}

const YEAR_MS = 365 * 24 * 3_600_000;

let material: Promise<TlsMaterial> | undefined;

async function create(): Promise<TlsMaterial> {
  const ca = await CertificateAuthority.create({ commonName: 'kube-sim-ca' });
  const server = await ca.issue({
    subject: 'CN=kube-apiserver',
    usage: 'server',
    validityMs: YEAR_MS,
    dnsNames: ['localhost', 'kubernetes.default.svc'],
    ipAddresses: ['127.0.0.1', '::1'],
  });
  const client = await ca.issue({ subject: 'CN=kube-sim-admin, O=system:masters', usage: 'client', validityMs: YEAR_MS });
  return {
    caCert: ca.certificatePem,
    serverCert: server.certificatePem,
    serverKey: server.privateKeyPem!,
    clientCert: client.certificatePem,
    clientKey: client.privateKeyPem!,
  };
}

/**
 * The EC P-256 CA and its server and client certificates, made once per process (EC keys take
 * well under a millisecond, but sharing them keeps every instance start cheap and lets one
 * kubeconfig CA trust every instance).
 */
export function tlsMaterial(): Promise<TlsMaterial> {
  material ??= create();
  return material;
}

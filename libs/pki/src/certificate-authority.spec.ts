import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { connect, createServer, type TLSSocket } from 'node:tls';
import { CertificateAuthority } from './certificate-authority.js';
import { createCsrForKey, createKeyAndCsr, describeCertificate } from './certificate-request.js';
import { clusterIdentityUri, clusterUidOf } from './cluster-identity.js';
import { PkiError } from './pki.error.js';

const UID = '3f0b7c1e-2a4d-4c8e-9b1a-0d2e3f4a5b6c';
const HOUR = 3_600_000;

describe('CertificateAuthority', () => {
  let ca: CertificateAuthority;
  beforeAll(async () => (ca = await CertificateAuthority.create({ commonName: 'flotilla-test-ca' })));

  it('signs a CSR with the identity it decides, ignoring what the CSR asks for', async () => {
    const { csrPem } = await createKeyAndCsr('CN=i-am-admin');
    const issued = await ca.signCsr(csrPem, { subject: 'CN=cluster', usage: 'client', validityMs: 24 * HOUR, uris: [clusterIdentityUri(UID)] });
    const certificate = new X509Certificate(issued.certificatePem);
    expect(certificate.checkIssued(new X509Certificate(ca.certificatePem))).toBe(true);
    expect(certificate.verify(new X509Certificate(ca.certificatePem).publicKey)).toBe(true);
    expect(certificate.subject).toBe('CN=cluster');
    expect(certificate.subjectAltName).toBe(`URI:spiffe://flotilla/cluster/${UID}`);
    expect(clusterUidOf(issued.certificatePem)).toBe(UID);
    expect(describeCertificate(issued.certificatePem).serialNumber).toBe(issued.serialNumber);
    expect(issued.notAfter.getTime() - Date.now()).toBeLessThanOrEqual(24 * HOUR);
  });

  it('renews with the same key', async () => {
    const { privateKeyPem, csrPem } = await createKeyAndCsr('CN=agent');
    const first = await ca.signCsr(csrPem, { subject: 'CN=c', usage: 'client', validityMs: HOUR, uris: [clusterIdentityUri(UID)] });
    const again = await ca.signCsr(await createCsrForKey('CN=agent', privateKeyPem), { subject: 'CN=c', usage: 'client', validityMs: HOUR, uris: [clusterIdentityUri(UID)] });
    expect(new X509Certificate(again.certificatePem).publicKey.export({ format: 'der', type: 'spki' })).toEqual(
      new X509Certificate(first.certificatePem).publicKey.export({ format: 'der', type: 'spki' }),
    );
    expect(again.serialNumber).not.toBe(first.serialNumber);
  });

  it.each([
    ['garbage', '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n', 'cannot be read'],
    ['not PEM at all', 'hello', 'cannot be read'],
  ])('refuses a CSR that is %s', async (_name, csr, message) => {
    await expect(ca.signCsr(csr, { subject: 'CN=x', usage: 'client', validityMs: HOUR })).rejects.toThrow(PkiError);
    await expect(ca.signCsr(csr, { subject: 'CN=x', usage: 'client', validityMs: HOUR })).rejects.toThrow(message);
  });

  it('refuses a CSR whose signature does not match its key', async () => {
    const { csrPem } = await createKeyAndCsr('CN=x');
    const body = csrPem.split('\n').filter((line) => line && !line.startsWith('-----')).join('');
    const der = Buffer.from(body, 'base64');
    der[der.length - 5]! ^= 0xff; // inside the signature
    const tampered = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE REQUEST-----\n`;
    await expect(ca.signCsr(tampered, { subject: 'CN=x', usage: 'client', validityMs: HOUR })).rejects.toThrow(PkiError);
  });

  it('reloads from PEM, and refuses a key that is not its own', async () => {
    const reloaded = await CertificateAuthority.fromPem(ca.certificatePem, await ca.exportPrivateKeyPem());
    expect(reloaded.certificatePem).toBe(ca.certificatePem);
    const other = await CertificateAuthority.create({ commonName: 'other' });
    await expect(CertificateAuthority.fromPem(ca.certificatePem, await other.exportPrivateKeyPem())).rejects.toThrow('does not belong to the CA certificate');
    const leaf = await ca.issue({ subject: 'CN=leaf', usage: 'server', validityMs: HOUR });
    await expect(CertificateAuthority.fromPem(leaf.certificatePem, leaf.privateKeyPem!)).rejects.toThrow('is not a CA certificate');
  });

  it('names no cluster when the certificate has no or a foreign URI', async () => {
    const plain = await ca.issue({ subject: 'CN=hub', usage: 'server', validityMs: HOUR, dnsNames: ['localhost'] });
    expect(clusterUidOf(plain.certificatePem)).toBeUndefined();
    const foreign = await ca.issue({ subject: 'CN=x', usage: 'client', validityMs: HOUR, uris: ['spiffe://other/cluster/x'] });
    expect(clusterUidOf(foreign.certificatePem)).toBeUndefined();
    expect(() => clusterIdentityUri('prod-1')).toThrow('is not a cluster uid');
  });

  it('makes certificates that real mutual TLS accepts, and refuses a client of another CA', async () => {
    const server = await ca.issue({ subject: 'CN=hub', usage: 'server', validityMs: HOUR, dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
    const { privateKeyPem, csrPem } = await createKeyAndCsr('CN=agent');
    const client = await ca.signCsr(csrPem, { subject: 'CN=agent', usage: 'client', validityMs: HOUR, uris: [clusterIdentityUri(UID)] });
    const tls = createServer({ key: server.privateKeyPem, cert: server.certificatePem, ca: ca.certificatePem, requestCert: true, rejectUnauthorized: true }, (socket) => {
      socket.end(clusterUidOf(toPem(socket.getPeerCertificate().raw)) ?? 'none');
    });
    tls.listen(0, '127.0.0.1');
    await once(tls, 'listening');
    const port = (tls.address() as { port: number }).port;
    const talk = async (key: string, cert: string): Promise<string> => {
      const socket: TLSSocket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: ca.certificatePem, key, cert });
      let data = '';
      socket.on('data', (chunk: Buffer) => (data += chunk.toString()));
      const outcome = await Promise.race([once(socket, 'end').then(() => data), once(socket, 'error').then(([error]) => `error: ${(error as Error).message}`)]);
      socket.destroy();
      return outcome;
    };
    try {
      expect(await talk(privateKeyPem, client.certificatePem)).toBe(UID);
      const stranger = await CertificateAuthority.create({ commonName: 'stranger' });
      const { privateKeyPem: key2, csrPem: csr2 } = await createKeyAndCsr('CN=x');
      const foreign = await stranger.signCsr(csr2, { subject: 'CN=x', usage: 'client', validityMs: HOUR, uris: [clusterIdentityUri(UID)] });
      expect(await talk(key2, foreign.certificatePem)).not.toBe(UID);
    } finally {
      tls.close();
    }
  });
});

function toPem(der: Buffer): string {
  return `-----BEGIN CERTIFICATE-----\n${der.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
}

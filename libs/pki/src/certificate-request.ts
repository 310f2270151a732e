import { createHash } from 'node:crypto';
import { PkiError } from './pki.error.js';
import { crypto, EC_P256, generateEcKeyPair, privateKeyFromPem, privateKeyToPem, x509 } from './x509-crypto.js';

/** A new EC P-256 key (PKCS#8 PEM) and a certificate signing request for it: what an agent sends to register. */
export async function createKeyAndCsr(subject: string): Promise<{ privateKeyPem: string; csrPem: string }> {
  const keys = await generateEcKeyPair();
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: subject, keys, signingAlgorithm: EC_P256 }, crypto);
  return { privateKeyPem: await privateKeyToPem(keys.privateKey), csrPem: csr.toString('pem') };
}

/** A CSR for an existing key (certificate renewal keeps the key the agent already holds). */
export async function createCsrForKey(subject: string, privateKeyPem: string): Promise<string> {
  try {
    const privateKey = await privateKeyFromPem(privateKeyPem);
    // The public half of an EC key is its JWK without the private scalar d.
    const { d: _private, ...publicJwk } = await crypto.subtle.exportKey('jwk', privateKey);
    const publicKey = await crypto.subtle.importKey('jwk', { ...publicJwk, key_ops: ['verify'] }, EC_P256, true, ['verify']);
    const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: subject, keys: { privateKey, publicKey }, signingAlgorithm: EC_P256 }, crypto);
    return csr.toString('pem');
  } catch (error) {
    throw new PkiError(`cannot make a certificate signing request: ${(error as Error).message}`);
  }
}

/** Serial number and validity of a certificate, for renewal decisions and revocation checks. */
export function describeCertificate(certificatePem: string): { serialNumber: string; notBefore: Date; notAfter: Date; subject: string } {
  const certificate = new x509.X509Certificate(certificatePem);
  return { serialNumber: certificate.serialNumber.toLowerCase(), notBefore: certificate.notBefore, notAfter: certificate.notAfter, subject: certificate.subject };
}

/** SHA-256 (hex) of the public key a CSR carries, as DER SubjectPublicKeyInfo: the key's identity. */
export function csrPublicKeySha256(csrPem: string): string {
  try {
    return createHash('sha256').update(Buffer.from(new x509.Pkcs10CertificateRequest(csrPem).publicKey.rawData)).digest('hex');
  } catch (error) {
    throw new PkiError(`the certificate signing request cannot be read: ${(error as Error).message}`);
  }
}

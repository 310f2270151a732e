import { randomBytes } from 'node:crypto';
import { PkiError } from './pki.error.js';
import { crypto, EC_P256, generateEcKeyPair, privateKeyFromPem, privateKeyToPem, x509, type CryptoKey, type CryptoKeyPair } from './x509-crypto.js';

/** What a certificate may be used for. */
export type CertificateUsage = 'server' | 'client';

export interface IssueOptions {
  /** Distinguished name, e.g. `CN=flotilla-hub`. */
  readonly subject: string;
  readonly usage: CertificateUsage;
  readonly validityMs: number;
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
  readonly uris?: readonly string[];
}

/** A certificate the CA issued. `privateKeyPem` is present only when the CA generated the key. */
export interface IssuedCertificate {
  readonly certificatePem: string;
  readonly privateKeyPem?: string;
  readonly serialNumber: string;
  readonly notAfter: Date;
}

const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * An EC P-256 certificate authority built on a maintained X.509 library (@peculiar/x509; no
 * hand-written ASN.1). It issues server certificates, and signs certificate signing requests
 * with the subject and names *it* decides — a CSR contributes only its public key.
 */
export class CertificateAuthority {
  private constructor(
    private readonly certificate: x509.X509Certificate,
    private readonly keys: CryptoKeyPair,
  ) {}

  static async create(options: { commonName: string; validityDays?: number }): Promise<CertificateAuthority> {
    const keys = await generateEcKeyPair();
    const certificate = await x509.X509CertificateGenerator.createSelfSigned(
      {
        serialNumber: serial(),
        name: `CN=${options.commonName}`,
        notBefore: new Date(Date.now() - CLOCK_SKEW_MS),
        notAfter: new Date(Date.now() + (options.validityDays ?? 3650) * 86_400_000),
        signingAlgorithm: EC_P256,
        keys,
        extensions: [
          new x509.BasicConstraintsExtension(true, 0, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
          await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
        ],
      },
      crypto,
    );
    return new CertificateAuthority(certificate, keys);
  }

  /** Loads a CA (for example one brought by the operator); the key must match the certificate. */
  static async fromPem(certificatePem: string, privateKeyPem: string): Promise<CertificateAuthority> {
    let certificate: x509.X509Certificate;
    let privateKey: CryptoKey;
    try {
      certificate = new x509.X509Certificate(certificatePem);
      privateKey = await privateKeyFromPem(privateKeyPem);
    } catch (error) {
      throw new PkiError(`the CA certificate or key cannot be read (an EC P-256 key in PKCS#8 PEM is expected): ${(error as Error).message}`);
    }
    const basic = certificate.getExtension(x509.BasicConstraintsExtension);
    if (!basic?.ca) throw new PkiError(`${certificate.subject} is not a CA certificate (basicConstraints CA:TRUE is missing)`);
    const publicKey = await certificate.publicKey.export(EC_P256, ['verify'], crypto).catch(() => {
      throw new PkiError('the CA certificate does not hold an EC P-256 key');
    });
    const probe = Buffer.from('flotilla-ca-key-check');
    const signature = await crypto.subtle.sign(EC_P256, privateKey, probe);
    if (!(await crypto.subtle.verify(EC_P256, publicKey, signature, probe))) throw new PkiError('the CA private key does not belong to the CA certificate');
    return new CertificateAuthority(certificate, { publicKey, privateKey });
  }

  get certificatePem(): string {
    return this.certificate.toString('pem');
  }

  get notAfter(): Date {
    return this.certificate.notAfter;
  }

  exportPrivateKeyPem(): Promise<string> {
    return privateKeyToPem(this.keys.privateKey);
  }

  /** Issues a certificate for a key pair the CA generates (server certificates of the hub). */
  async issue(options: IssueOptions): Promise<IssuedCertificate> {
    const keys = await generateEcKeyPair();
    const issued = await this.sign(keys.publicKey, options);
    return { ...issued, privateKeyPem: await privateKeyToPem(keys.privateKey) };
  }

  /**
   * Signs a PKCS#10 request after checking its self-signature and that its key is EC P-256. The
   * subject and names requested are ignored: the caller decides them (the cluster's identity).
   */
  async signCsr(csrPem: string, options: IssueOptions): Promise<IssuedCertificate> {
    let request: x509.Pkcs10CertificateRequest;
    try {
      request = new x509.Pkcs10CertificateRequest(csrPem);
    } catch (error) {
      throw new PkiError(`the certificate signing request cannot be read: ${(error as Error).message}`);
    }
    const algorithm = request.publicKey.algorithm as { name?: string; namedCurve?: string };
    if (algorithm.name !== 'ECDSA' || algorithm.namedCurve !== 'P-256') {
      throw new PkiError(`the certificate signing request must hold an EC P-256 key, not ${algorithm.name ?? 'an unknown'} ${algorithm.namedCurve ?? ''}`.trim());
    }
    if (!(await request.verify(crypto))) throw new PkiError('the certificate signing request is not signed by its own key');
    return this.sign(await request.publicKey.export(EC_P256, ['verify'], crypto), options);
  }

  private async sign(publicKey: CryptoKey, options: IssueOptions): Promise<IssuedCertificate> {
    const names: x509.JsonGeneralName[] = [
      ...(options.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
      ...(options.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
      ...(options.uris ?? []).map((value) => ({ type: 'url' as const, value })),
    ];
    const serialNumber = serial();
    const notAfter = new Date(Math.min(Date.now() + options.validityMs, this.certificate.notAfter.getTime()));
    const certificate = await x509.X509CertificateGenerator.create(
      {
        serialNumber,
        subject: options.subject,
        issuer: this.certificate.subject,
        notBefore: new Date(Date.now() - CLOCK_SKEW_MS),
        notAfter,
        signingAlgorithm: EC_P256,
        publicKey,
        signingKey: this.keys.privateKey,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
          new x509.ExtendedKeyUsageExtension([options.usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth]),
          await x509.AuthorityKeyIdentifierExtension.create(this.keys.publicKey, false, crypto),
          ...(names.length > 0 ? [new x509.SubjectAlternativeNameExtension(names, false)] : []),
        ],
      },
      crypto,
    );
    return { certificatePem: certificate.toString('pem'), serialNumber, notAfter };
  }
}

/** A positive 128-bit serial number, hex: random, so serials never repeat across CAs or restarts. */
function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return bytes.toString('hex');
}

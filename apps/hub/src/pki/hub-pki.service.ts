import { createHash, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { EncryptionKeyring } from '@flotilla/crypto';
import { CertificateAuthority, clusterIdentityUri, describeCertificate, type IssuedCertificate } from '@flotilla/pki';
import { DataSource, type EntityManager } from 'typeorm';
import { ConfigError } from '../config/config.error.js';
import { HUB_CONFIG } from '../config/hub-config.token.js';
import type { HubConfig } from '../config/hub-config.js';

const KEY_CONTEXT = 'pki:ca-private-key';

/** The gRPC server's certificate and key, made at start for the names agents dial. */
export interface ServerTlsMaterial {
  readonly caCertificatePem: string;
  readonly certificatePem: string;
  readonly privateKeyPem: string;
}

/**
 * The hub's internal certificate authority (EC P-256). Created on first start and stored with its
 * private key encrypted by the hub's key, or brought by the operator (FLOTILLA_CA_CERT_FILE and
 * FLOTILLA_CA_KEY_FILE). It signs agents' CSRs with their cluster uid as identity, and every
 * certificate it issues to an agent is recorded, so revocation is a lookup.
 */
@Injectable()
export class HubPki implements OnModuleInit {
  private readonly logger = new Logger(HubPki.name);
  private authority!: CertificateAuthority;
  private server?: ServerTlsMaterial;

  constructor(
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
    private readonly keyring: EncryptionKeyring,
    private readonly dataSource: DataSource,
  ) {}

  async onModuleInit(): Promise<void> {
    this.authority = await this.loadOrCreate();
  }

  get caCertificatePem(): string {
    return this.authority.certificatePem;
  }

  /** The certificate of the agent listener, for the configured names plus localhost. */
  async serverTls(): Promise<ServerTlsMaterial> {
    if (!this.server) {
      const names = new Set(['localhost', hostname(), ...this.config.agents.tlsNames]);
      const dnsNames = [...names].filter((name) => !/^[\d.]+$|:/.test(name));
      const ipAddresses = ['127.0.0.1', '::1', ...[...names].filter((name) => /^[\d.]+$|:/.test(name))];
      const issued = await this.authority.issue({ subject: 'CN=flotilla-hub', usage: 'server', validityMs: 365 * 86_400_000, dnsNames, ipAddresses });
      this.server = { caCertificatePem: this.authority.certificatePem, certificatePem: issued.certificatePem, privateKeyPem: issued.privateKeyPem! };
    }
    return this.server;
  }

  /**
   * Signs an agent's CSR for a cluster and records the certificate — in the caller's transaction
   * when one is given, so a registration uses one connection and issues atomically.
   */
  async issueAgentCertificate(clusterUid: string, csrPem: string, manager?: EntityManager): Promise<IssuedCertificate & { keySha256: string }> {
    const issued = await this.authority.signCsr(csrPem, {
      subject: `CN=flotilla-agent,O=${clusterUid}`,
      usage: 'client',
      validityMs: this.config.agents.certificateTtlMs,
      uris: [clusterIdentityUri(clusterUid)],
    });
    const keySha256 = publicKeySha256(issued.certificatePem);
    // Recorded as the certificate itself encodes it (DER drops a leading zero byte the CA's
    // random serial may have), so the lookup on connect finds it.
    const serialNumber = describeCertificate(issued.certificatePem).serialNumber;
    await (manager ?? this.dataSource).query(`INSERT INTO agent_certificates (serial, cluster_id, key_sha256, not_after) VALUES ($1, $2, $3, $4)`, [
      serialNumber,
      clusterUid,
      keySha256,
      issued.notAfter,
    ]);
    return { ...issued, serialNumber, keySha256 };
  }

  /** Why a presented agent certificate must be refused, or undefined when it is current and not revoked. */
  async refusalOf(certificatePem: string, clusterUid: string): Promise<string | undefined> {
    const { serialNumber, notAfter } = describeCertificate(certificatePem);
    if (notAfter.getTime() <= Date.now()) return 'the certificate has expired';
    const rows: { revoked_at: Date | null; cluster_id: string }[] = await this.dataSource.query(
      'SELECT revoked_at, cluster_id FROM agent_certificates WHERE serial = ANY($1::text[])',
      [serialSpellings(serialNumber)],
    );
    if (rows.length === 0) return 'the certificate is not one this hub issued, or its cluster was deregistered';
    if (rows[0]!.cluster_id !== clusterUid) return 'the certificate names another cluster';
    if (rows[0]!.revoked_at) return 'the certificate was revoked';
    return undefined;
  }

  /**
   * Revokes one certificate of a cluster (`serial`), or every unrevoked one; returns the serials
   * revoked now (empty when there was nothing left to revoke). The cluster's bootstrap tokens
   * expire too: a token is idempotent for the same key, so a stolen key and token must not buy a
   * fresh certificate. The agent re-registers with a new token (registerCluster) and a new key.
   */
  async revoke(clusterUid: string, serial?: string): Promise<string[]> {
    return this.dataSource.transaction(async (manager) => {
      // TypeORM answers an UPDATE … RETURNING with [rows, affected count].
      const [rows] = (await manager.query(
        `UPDATE agent_certificates SET revoked_at = now()
          WHERE cluster_id = $1 AND revoked_at IS NULL AND ($2::text[] IS NULL OR serial = ANY($2::text[])) RETURNING serial`,
        [clusterUid, serial === undefined ? null : serialSpellings(serial)],
      )) as [{ serial: string }[], number];
      await manager.query('UPDATE bootstrap_tokens SET expires_at = now() WHERE cluster_id = $1 AND expires_at > now()', [clusterUid]);
      return rows.map((row) => canonicalSerial(row.serial));
    });
  }

  /** Whether a certificate of this serial was issued to this cluster (revoked or not). */
  async isIssuedTo(clusterUid: string, serial: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query('SELECT 1 FROM agent_certificates WHERE cluster_id = $1 AND serial = ANY($2::text[])', [clusterUid, serialSpellings(serial)]);
    return rows.length > 0;
  }

  /** Whether any certificate for this public key was revoked: such a key never gets another. */
  async isKeyRevoked(keySha256: string, manager?: EntityManager): Promise<boolean> {
    const rows: unknown[] = await (manager ?? this.dataSource).query('SELECT 1 FROM agent_certificates WHERE key_sha256 = $1 AND revoked_at IS NOT NULL LIMIT 1', [keySha256]);
    return rows.length > 0;
  }

  private async loadOrCreate(): Promise<CertificateAuthority> {
    const { caCertFile, caKeyFile } = this.config.agents;
    if (caCertFile && caKeyFile) {
      const [cert, key] = await Promise.all([readFile(caCertFile, 'utf8'), readFile(caKeyFile, 'utf8')]).catch((error: Error) => {
        throw new ConfigError([`FLOTILLA_CA_CERT_FILE / FLOTILLA_CA_KEY_FILE: ${error.message}`]);
      });
      const authority = await CertificateAuthority.fromPem(cert, key).catch((error: Error) => {
        throw new ConfigError([`FLOTILLA_CA_CERT_FILE / FLOTILLA_CA_KEY_FILE: ${error.message}`]);
      });
      this.logger.log(`using the operator's certificate authority from ${caCertFile}`);
      return authority;
    }
    const rows: { certificate_pem: string; private_key: Buffer }[] = await this.dataSource.query(
      'SELECT certificate_pem, private_key FROM certificate_authority WHERE id = 1',
    );
    if (rows[0]) {
      return CertificateAuthority.fromPem(rows[0].certificate_pem, this.keyring.decrypt(rows[0].private_key, KEY_CONTEXT).toString('utf8'));
    }
    const created = await CertificateAuthority.create({ commonName: 'flotilla-agents-ca' });
    const sealed = this.keyring.encrypt(Buffer.from(await created.exportPrivateKeyPem()), KEY_CONTEXT);
    // Two hubs starting at once: the first insert wins and both use what is stored.
    await this.dataSource.query(
      `INSERT INTO certificate_authority (id, certificate_pem, private_key) VALUES (1, $1, $2) ON CONFLICT (id) DO NOTHING`,
      [created.certificatePem, sealed],
    );
    const stored: { certificate_pem: string; private_key: Buffer }[] = await this.dataSource.query(
      'SELECT certificate_pem, private_key FROM certificate_authority WHERE id = 1',
    );
    this.logger.log('created the certificate authority for agents');
    return CertificateAuthority.fromPem(stored[0]!.certificate_pem, this.keyring.decrypt(stored[0]!.private_key, KEY_CONTEXT).toString('utf8'));
  }
}

/** A serial as certificates encode it: lower-case hex without leading zero bytes. */
export function canonicalSerial(serial: string): string {
  let hex = serial.toLowerCase();
  while (hex.length > 2 && hex.startsWith('00')) hex = hex.slice(2);
  return hex;
}

/**
 * Both ways a serial may be stored: as encoded, and with the leading zero byte that rows recorded
 * before the canonical form (the CA's raw random serial) can carry.
 */
function serialSpellings(serial: string): string[] {
  const canonical = canonicalSerial(serial);
  return [canonical, `00${canonical}`];
}

/** SHA-256 of the certificate's public key (SPKI DER), hex. */
export function publicKeySha256(certificatePem: string): string {
  return createHash('sha256').update(new X509Certificate(certificatePem).publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
}

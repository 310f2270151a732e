import { Inject, Injectable, Logger } from '@nestjs/common';
import { csrPublicKeySha256, PkiError } from '@flotilla/pki';
import { DataSource } from 'typeorm';
import { ClusterService } from '../clusters/cluster.service.js';
import { ClusterException, ClusterExceptionCode } from '../clusters/cluster.exception.js';
import type { ClusterEntity } from '../clusters/cluster.entity.js';
import { HUB_CONFIG } from '../config/hub-config.token.js';
import type { HubConfig } from '../config/hub-config.js';
import { CertificateRevocations } from '../pki/certificate-revocations.js';
import { HubPki } from '../pki/hub-pki.service.js';
import { BootstrapTokenRepository } from './bootstrap-token.repository.js';
import { agentInstallManifest } from './install-manifest.util.js';
import { RegistrationException, RegistrationExceptionCode } from './registration.exception.js';

/** Serials as the CA writes them: hex, at most 20 octets (RFC 5280). */
const SERIAL = /^[0-9a-f]{1,40}$/;

/** Why a Register call was refused; `kind` decides the gRPC status. The token is never part of it. */
export class RegistrationRefused extends Error {
  override readonly name = 'RegistrationRefused';

  constructor(
    readonly kind: 'token' | 'request',
    message: string,
  ) {
    super(message);
  }
}

export interface RegisteredCluster {
  readonly cluster: ClusterEntity;
  readonly bootstrapToken: string;
  readonly expiresAt: Date;
  readonly installManifest: string;
}

/** Cluster registration: bootstrap tokens for people, certificates for agents. */
@Injectable()
export class RegistrationService {
  private readonly logger = new Logger(RegistrationService.name);

  constructor(
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
    private readonly clusters: ClusterService,
    private readonly tokens: BootstrapTokenRepository,
    private readonly pki: HubPki,
    private readonly dataSource: DataSource,
    private readonly revocations: CertificateRevocations,
  ) {}

  /**
   * Revokes one agent certificate of a cluster, or all of them when no serial is given, and
   * closes a live stream that uses one. The cluster stays registered; its agent comes back with a
   * new bootstrap token (registerCluster) and a new key.
   */
  async revokeCertificate(clusterName: string, serial: string | undefined): Promise<{ cluster: ClusterEntity; revokedSerials: string[]; closedStreams: number }> {
    const cluster = await this.clusters.getByName(clusterName);
    const wanted = serial?.trim().toLowerCase().replace(/^0x/, '').replaceAll(':', '');
    if (wanted !== undefined) {
      if (!SERIAL.test(wanted)) {
        throw new RegistrationException(RegistrationExceptionCode.InvalidSerial, `serial "${serial}" is not a certificate serial (hexadecimal, at most 40 digits)`);
      }
      if (!(await this.pki.isIssuedTo(cluster.id, wanted))) {
        throw new RegistrationException(RegistrationExceptionCode.CertificateNotFound, `cluster "${cluster.name}" has no agent certificate with serial ${wanted}`);
      }
    }
    const revokedSerials = await this.pki.revoke(cluster.id, wanted);
    this.logger.warn(`revoked ${revokedSerials.length} agent certificate(s) of cluster "${cluster.name}" (${cluster.id})${revokedSerials.length ? `: ${revokedSerials.join(', ')}` : ''}`);
    const closedStreams = this.revocations.emit({ clusterId: cluster.id, serials: new Set(revokedSerials) });
    return { cluster, revokedSerials, closedStreams };
  }

  /** Records the cluster when new (or replaces its labels), and issues a fresh bootstrap token. */
  async registerCluster(name: string, labels: readonly { key: string; value: string }[] | undefined): Promise<RegisteredCluster> {
    let cluster: ClusterEntity;
    try {
      cluster = await this.clusters.getByName(name);
      if (labels) cluster = await this.clusters.setLabels(name, labels);
    } catch (error) {
      if (!(error instanceof ClusterException) || error.code !== ClusterExceptionCode.NotFound) throw error;
      cluster = await this.clusters.create(name, labels ?? [], {});
    }
    const { token, expiresAt } = await this.tokens.issue(cluster.id, this.config.agents.bootstrapTokenTtlMs);
    this.logger.log(`issued a bootstrap token for cluster "${cluster.name}" (${cluster.id}), valid until ${expiresAt.toISOString()}`);
    const installManifest = agentInstallManifest({
      clusterName: cluster.name,
      bootstrapToken: token,
      hubCaPem: this.pki.caCertificatePem,
      hubAddress: this.config.agents.hubAddress,
      registrationAddress: this.config.agents.registrationAddress,
      image: this.config.agents.agentImage,
    });
    return { cluster, bootstrapToken: token, expiresAt, installManifest };
  }

  /**
   * Exchanges a bootstrap token and a CSR for a client certificate. Idempotent for the same public
   * key until the token expires (an agent that crashed before saving its certificate may retry);
   * a token used by another key, expired, unknown or of a deleted cluster is refused.
   */
  async register(token: string, csrPem: string, peer: string): Promise<{ clusterUid: string; certificatePem: string; caPem: string; notAfter: Date }> {
    let keySha256: string;
    try {
      keySha256 = csrPublicKeySha256(csrPem);
    } catch (error) {
      throw new RegistrationRefused('request', (error as PkiError).message);
    }
    return this.dataSource.transaction(async (manager) => {
      const record = await this.tokens.findForUpdate(manager, token);
      const refuse = (why: string): never => {
        this.logger.warn(`refused a registration from ${peer}: ${why}`);
        throw new RegistrationRefused('token', `the bootstrap token is ${why}`);
      };
      if (!record) return refuse('unknown (or its cluster was deleted)');
      if (record.expiresAt.getTime() <= Date.now()) return refuse(`expired (for cluster ${record.clusterId})`);
      if (record.usedAt && record.usedKeySha256 !== keySha256) return refuse(`already used by another key (for cluster ${record.clusterId})`);
      if (await this.pki.isKeyRevoked(keySha256, manager)) {
        this.logger.warn(`refused a registration from ${peer}: a certificate of that key was revoked (cluster ${record.clusterId})`);
        throw new RegistrationRefused('request', 'a certificate for this key was revoked: generate a new key');
      }
      let issued;
      try {
        issued = await this.pki.issueAgentCertificate(record.clusterId, csrPem, manager);
      } catch (error) {
        if (error instanceof PkiError) throw new RegistrationRefused('request', error.message);
        throw error;
      }
      await this.tokens.markUsed(manager, record.id, keySha256);
      this.logger.log(`registered an agent for cluster ${record.clusterId} from ${peer} (certificate ${issued.serialNumber}, until ${issued.notAfter.toISOString()})`);
      return { clusterUid: record.clusterId, certificatePem: issued.certificatePem, caPem: this.pki.caCertificatePem, notAfter: issued.notAfter };
    });
  }
}

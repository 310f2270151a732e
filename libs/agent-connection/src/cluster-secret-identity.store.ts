import type { ClusterClient, KubeObject } from '@flotilla/cluster-client';
import { AgentStateError } from './agent-connection.error.js';
import type { AgentIdentity, AgentStateStore, PersistedBundle } from './agent-state.store.js';

/** Server-side apply owner of the identity Secret; apart from "flotilla" so bundles never contend for it. */
const FIELD_MANAGER = 'flotilla-agent-identity';
const KEYS = { privateKey: 'tls.key', certificate: 'tls.crt', ca: 'ca.crt', clusterUid: 'cluster-uid' } as const;

/** Where the identity Secret lives: the agent's own namespace. */
export interface IdentitySecretRef {
  readonly namespace: string;
  readonly name: string;
}

/**
 * AgentStateStore that keeps the agent's identity (its key, the hub-signed certificate, the hub CA,
 * the cluster uid) in a Secret of its own namespace, and delegates bundles to another store. The
 * identity then survives the pod being rescheduled with an empty state volume — without it, the
 * agent would register again with a bootstrap token already consumed, and be refused. Bundles
 * lost that way cost one re-send by the hub, nothing more. An identity the delegate holds from
 * before (an upgrade) moves into the Secret on first load.
 */
export class ClusterSecretIdentityStore implements AgentStateStore {
  constructor(
    private readonly cluster: ClusterClient,
    private readonly secret: IdentitySecretRef,
    private readonly delegate: AgentStateStore,
  ) {}

  async loadPrivateKey(): Promise<string | undefined> {
    const data = await this.readSecret();
    if (data?.[KEYS.privateKey]) return data[KEYS.privateKey];
    return this.delegate.loadPrivateKey();
  }

  async savePrivateKey(privateKeyPem: string): Promise<void> {
    await this.writeSecret({ [KEYS.privateKey]: privateKeyPem });
  }

  async loadIdentity(): Promise<AgentIdentity | undefined> {
    const data = await this.readSecret();
    if (data?.[KEYS.certificate] !== undefined) return this.identityOf(data);
    const earlier = await this.delegate.loadIdentity();
    if (earlier) await this.saveIdentity(earlier);
    return earlier;
  }

  async saveIdentity(identity: AgentIdentity): Promise<void> {
    await this.writeSecret({
      [KEYS.privateKey]: identity.privateKeyPem,
      [KEYS.certificate]: identity.certificatePem,
      [KEYS.ca]: identity.caCertificatePem,
      [KEYS.clusterUid]: identity.clusterUid,
    });
  }

  loadBundles(): Promise<PersistedBundle[]> {
    return this.delegate.loadBundles();
  }

  saveBundle(bundle: PersistedBundle): Promise<void> {
    return this.delegate.saveBundle(bundle);
  }

  private get where(): string {
    return `Secret ${this.secret.namespace}/${this.secret.name}`;
  }

  private identityOf(data: Record<string, string>): AgentIdentity {
    for (const key of Object.values(KEYS)) {
      if (!data[key]) throw new AgentStateError(this.where, `has no "${key}"`);
    }
    return { privateKeyPem: data[KEYS.privateKey]!, certificatePem: data[KEYS.certificate]!, caCertificatePem: data[KEYS.ca]!, clusterUid: data[KEYS.clusterUid]! };
  }

  /** The Secret's data decoded, or undefined when there is no Secret. */
  private async readSecret(): Promise<Record<string, string> | undefined> {
    let secret: KubeObject | undefined;
    try {
      secret = await this.cluster.get({ apiVersion: 'v1', kind: 'Secret', namespace: this.secret.namespace, name: this.secret.name });
    } catch (error) {
      throw new AgentStateError(this.where, `cannot be read: ${(error as Error).message}`);
    }
    if (!secret) return undefined;
    const data = secret.data;
    if (data === undefined || data === null) return {};
    if (typeof data !== 'object' || Array.isArray(data)) throw new AgentStateError(this.where, 'has data that is not a map');
    const decoded: Record<string, string> = {};
    for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
      if (typeof value !== 'string') throw new AgentStateError(this.where, `has a "${key}" that is not base64 text`);
      decoded[key] = Buffer.from(value, 'base64').toString('utf8');
    }
    return decoded;
  }

  /** One server-side apply: the whole identity changes at once or not at all. */
  private async writeSecret(values: Record<string, string>): Promise<void> {
    const secret: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: this.secret.name,
        namespace: this.secret.namespace,
        labels: { 'app.kubernetes.io/name': 'flotilla-agent', 'app.kubernetes.io/component': 'identity' },
      },
      type: 'Opaque',
      data: Object.fromEntries(Object.entries(values).map(([key, value]) => [key, Buffer.from(value, 'utf8').toString('base64')])),
    };
    try {
      await this.cluster.apply(secret, { fieldManager: FIELD_MANAGER, force: true });
    } catch (error) {
      throw new AgentStateError(this.where, `cannot be written: ${(error as Error).message}`);
    }
  }
}

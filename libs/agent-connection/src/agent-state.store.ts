/** The agent's identity: a key it generated itself and the certificate the hub signed for it. */
export interface AgentIdentity {
  readonly privateKeyPem: string;
  readonly certificatePem: string;
  readonly caCertificatePem: string;
  readonly clusterUid: string;
}

/** The last Desired the agent accepted for a bundle, exactly as received (content_json is the hashed text). */
export interface PersistedDesired {
  readonly kind: 'desired';
  readonly bundle: string;
  /** A uint64 as decimal text: JSON has no 64-bit integers. */
  readonly generation: string;
  readonly hash: string;
  readonly revision: string;
  readonly contentJson: string;
  readonly dependsOn: string[];
  readonly suspend: boolean;
}

/** A tombstone: the bundle left the cluster at this generation. */
export interface PersistedRemove {
  readonly kind: 'removed';
  readonly bundle: string;
  readonly generation: string;
  readonly deletionPolicy: 'delete' | 'orphan';
}

/** What the agent holds for one bundle: its last Desired or its removal. */
export type PersistedBundle = PersistedDesired | PersistedRemove;

/**
 * Durable agent state. Every save is durable and atomic when it resolves (a crash leaves the old
 * or the new value, never a torn one). A load that meets unreadable state rejects with
 * AgentStateError naming it; it never returns partial state as if it were whole.
 */
export interface AgentStateStore {
  /** The private key, saved before registering so that a retry after a crash reuses it. */
  loadPrivateKey(): Promise<string | undefined>;
  savePrivateKey(privateKeyPem: string): Promise<void>;
  loadIdentity(): Promise<AgentIdentity | undefined>;
  saveIdentity(identity: AgentIdentity): Promise<void>;
  loadBundles(): Promise<PersistedBundle[]>;
  saveBundle(bundle: PersistedBundle): Promise<void>;
}

import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AgentConnection, ClusterSecretIdentityStore, EncryptedFileStateStore, type AgentLogger } from '@flotilla/agent-connection';
import { BundleReconciler } from '@flotilla/agent-core';
import { KubernetesClusterClient } from '@flotilla/cluster-client';
import { EncryptionKeyring } from '@flotilla/crypto';
import { FLOTILLA_VERSION } from '@flotilla/observability';
import type { AgentConfig } from './config/agent-config.js';
import type { AgentMetricsRecorder } from './metrics/agent-metrics.recorder.js';

const STATE_KEY_FILE = 'state.key';
const IDENTITY_SECRET = 'flotilla-agent-identity';

/**
 * The agent proper: the connection to the hub handing each Desired to the reconciler, which
 * applies it through the Kubernetes client. Plain classes; the Nest shell only adds probes and metrics.
 */
export class AgentRuntime {
  private constructor(readonly connection: AgentConnection) {}

  static async start(config: AgentConfig, logger: AgentLogger, warn: (message: string) => void, metrics: AgentMetricsRecorder): Promise<AgentRuntime> {
    await mkdir(config.stateDir, { recursive: true, mode: 0o700 });
    let spec = config.stateKey;
    if (!spec) {
      const file = join(config.stateDir, STATE_KEY_FILE);
      spec = (await readFile(file, 'utf8').catch(() => undefined))?.trim();
      if (!spec) {
        spec = EncryptionKeyring.generateSpec('agent');
        await writeFile(file, `${spec}\n`, { mode: 0o600, flag: 'wx' });
        warn(`FLOTILLA_AGENT_STATE_KEY is not set: generated a key in ${file}; set it (e.g. from a Secret) so the state survives a lost volume only with the key`);
      }
    }
    const hubCaPem = await readFile(config.hubCaFile, 'utf8');
    const bootstrapToken = config.bootstrapTokenFile ? (await readFile(config.bootstrapTokenFile, 'utf8').catch(() => '')).trim() || undefined : undefined;
    const files = new EncryptedFileStateStore(join(config.stateDir, 'state'), EncryptionKeyring.parse(spec));
    const client = KubernetesClusterClient.create(config.kubeconfig ? { kubeconfigPath: config.kubeconfig } : {});
    const reconciler = new BundleReconciler(client, { observer: metrics.reconcileObserver, agentNamespace: config.namespace });
    reconciler.onReport((report) => metrics.report(report));
    const connection = new AgentConnection({
      registrationAddress: config.registrationAddress,
      hubAddress: config.hubAddress,
      tlsServerName: config.tlsServerName,
      bootstrapToken,
      hubCaPem,
      store: config.identityStore === 'secret' ? new ClusterSecretIdentityStore(client, { namespace: config.namespace, name: IDENTITY_SECRET }, files) : files,
      reconciler,
      agentVersion: FLOTILLA_VERSION,
      kubernetesVersion: config.kubernetesVersion,
      logger,
      observer: metrics.connectionObserver,
    });
    metrics.attach(connection);
    await connection.start();
    return new AgentRuntime(connection);
  }

  stop(): Promise<void> {
    return this.connection.stop();
  }
}

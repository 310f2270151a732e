import { appendFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AgentConnection, EncryptedFileStateStore, type AgentLogger } from '@flotilla/agent-connection';
import { BundleReconciler } from '@flotilla/agent-core';
import { KubernetesClusterClient } from '@flotilla/cluster-client';
import { EncryptionKeyring } from '@flotilla/crypto';
import { KubeSimServer } from '@flotilla/kube-sim';
import { FLOTILLA_VERSION } from '@flotilla/observability';
import { parseAllDocuments } from 'yaml';
import { CliError } from '../cli.error.js';
import type { DemoHub } from './demo-hub.js';

/** The demo's simulated clusters: names and labels chosen to exercise targets, overlays and waves. */
export const DEMO_CLUSTERS = [
  { name: 'eu-1', labels: { env: 'prod', region: 'eu', canary: 'true' } },
  { name: 'eu-2', labels: { env: 'prod', region: 'eu' } },
  { name: 'us-1', labels: { env: 'prod', region: 'us' } },
  { name: 'us-2', labels: { env: 'staging', region: 'us' } },
  { name: 'ap-1', labels: { env: 'prod', region: 'ap' } },
  { name: 'ap-2', labels: { env: 'staging', region: 'ap' } },
];

/** One simulated cluster with its real agent (registration, mTLS stream, reconciler over client-node). */
export interface DemoCluster {
  readonly name: string;
  readonly kubeconfigPath: string;
  readonly server: KubeSimServer;
  readonly agent: AgentConnection;
}

/** Agent log lines go to a file beside the hub's, so the demo's screen stays readable. */
function fileLogger(file: string, cluster: string): AgentLogger {
  const line = (level: string, message: string) => appendFileSync(file, `${JSON.stringify({ time: new Date().toISOString(), level, cluster, message })}\n`);
  return { log: (m) => line('log', m), warn: (m) => line('warn', m), error: (m) => line('error', m) };
}

export async function graphql<T>(hub: DemoHub, query: string, variables?: Record<string, unknown>): Promise<T> {
  const response = await fetch(`${hub.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${hub.token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length) throw new CliError(`the hub refused a demo request: ${body.errors[0]!.message}`);
  return body.data!;
}

/** Starts kube-sim clusters and an agent for each; registers clusters the hub does not know yet. */
export async function startDemoFleet(hub: DemoHub, dataDir: string, count: number): Promise<DemoCluster[]> {
  const keyFile = join(dataDir, 'agents.key');
  let spec = await readFile(keyFile, 'utf8').catch(() => undefined);
  if (!spec) {
    spec = EncryptionKeyring.generateSpec('demo');
    await writeFile(keyFile, spec, { mode: 0o600 });
  }
  const keyring = EncryptionKeyring.parse(spec.trim());
  const fleet: DemoCluster[] = [];
  for (const { name, labels } of DEMO_CLUSTERS.slice(0, count)) {
    const dir = join(dataDir, 'clusters', name);
    await mkdir(dir, { recursive: true });
    const server = await KubeSimServer.start({ kubeconfigDir: dir, name });
    const registered = await graphql<{ registerCluster: { bootstrapToken: string; installManifest: string } }>(
      hub,
      'mutation($name: String!, $labels: [LabelInput!]) { registerCluster(name: $name, labels: $labels) { bootstrapToken installManifest } }',
      { name, labels: Object.entries(labels).map(([key, value]) => ({ key, value })) },
    );
    const secret = parseAllDocuments(registered.registerCluster.installManifest)
      .map((doc) => doc.toJS() as { kind?: string; stringData?: Record<string, string> })
      .find((object) => object.kind === 'Secret');
    const caPem = secret?.stringData?.['hub-ca.pem'];
    if (!caPem) throw new CliError('the install manifest holds no hub CA');
    const client = KubernetesClusterClient.create({ kubeconfigPath: server.kubeconfigPath });
    const agent = new AgentConnection({
      registrationAddress: `127.0.0.1:${hub.registrationPort}`,
      hubAddress: `127.0.0.1:${hub.grpcPort}`,
      tlsServerName: 'localhost',
      bootstrapToken: registered.registerCluster.bootstrapToken,
      hubCaPem: caPem,
      store: new EncryptedFileStateStore(join(dataDir, 'agents', name), keyring),
      reconciler: new BundleReconciler(client),
      agentVersion: FLOTILLA_VERSION,
      kubernetesVersion: 'v1.35.0',
      logger: fileLogger(join(dataDir, 'agents.log'), name),
    });
    await agent.start();
    fleet.push({ name, kubeconfigPath: server.kubeconfigPath, server, agent });
  }
  return fleet;
}

export async function stopDemoFleet(fleet: readonly DemoCluster[]): Promise<void> {
  await Promise.all(fleet.map((cluster) => cluster.agent.stop().catch(() => undefined)));
  await Promise.all(fleet.map((cluster) => cluster.server.close().catch(() => undefined)));
}

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InMemoryClusterClient, KubeSimServer } from '@flotilla/kube-sim';
import { parseAllDocuments } from 'yaml';
import { GitRepoFixture } from '../../../libs/git/src/testing/git-repo.fixture.js';
import { freePort } from '../../../apps/cli/src/demo/demo-hub.js';
import { startTestHub, type TestHub } from '../../support/test-hub.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The agent as it runs in a cluster: its own process, configured from its bootstrap Secret's files. */
describe('the agent process', () => {
  let hub: TestHub;
  let repo: GitRepoFixture;
  let cluster: KubeSimServer;
  let dir: string;
  let agent: ChildProcess | undefined;
  let output = '';

  beforeAll(async () => {
    repo = await GitRepoFixture.create();
    await repo.write('web/flotilla.yaml', 'name: web\nnamespace: web\ntargets: [{selector: {}}]\n');
    await repo.write('web/all.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: web}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: hello}\ndata: {from: "{{ cluster.name }}"}\n');
    await repo.commit('web');
    hub = await startTestHub({ env: { FLOTILLA_GIT_ALLOW_FILE_URLS: 'true', FLOTILLA_SOURCE_POLL_INTERVAL_S: '0', FLOTILLA_AGENT_HEARTBEAT_INTERVAL_MS: '500' } });
    await hub.graphql('mutation($i: AddSourceInput!) { addSource(input: $i) { source { id } } }', { token: hub.adminToken, variables: { i: { name: 'fleet', url: repo.url, ref: 'main' } } });
    cluster = await KubeSimServer.start();
    dir = await mkdtemp(join(tmpdir(), 'flotilla-agent-process-'));
  });

  afterAll(async () => {
    agent?.kill('SIGKILL');
    await cluster?.close();
    await hub?.close();
    await repo?.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  it('registers, receives its bundle, applies it to the cluster, reports Healthy, and stops on SIGTERM', async () => {
    const registered = await hub.graphql<{ registerCluster: { installManifest: string } }>('mutation { registerCluster(name: "edge-1") { installManifest } }', { token: hub.adminToken });
    const secret = parseAllDocuments(registered.data!.registerCluster.installManifest)
      .map((doc) => doc.toJS() as { kind: string; stringData?: Record<string, string> })
      .find((object) => object.kind === 'Secret')!.stringData!;
    await writeFile(join(dir, 'hub-ca.pem'), secret['hub-ca.pem']!);
    await writeFile(join(dir, 'bootstrap-token'), secret['bootstrap-token']!);
    agent = spawn(process.execPath, ['--import', join(root, 'scripts', 'register-ts.mjs'), join(root, 'apps', 'agent', 'src', 'main.ts')], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: dir,
        FLOTILLA_AGENT_HTTP_PORT: String(await freePort()),
        FLOTILLA_AGENT_BIND_ADDRESS: '127.0.0.1',
        FLOTILLA_HUB_ADDRESS: `127.0.0.1:${hub.hub.grpcPort}`,
        FLOTILLA_REGISTRATION_ADDRESS: `127.0.0.1:${hub.hub.registrationPort}`,
        FLOTILLA_TLS_SERVER_NAME: 'localhost',
        FLOTILLA_HUB_CA_FILE: join(dir, 'hub-ca.pem'),
        FLOTILLA_BOOTSTRAP_TOKEN_FILE: join(dir, 'bootstrap-token'),
        FLOTILLA_AGENT_STATE_DIR: join(dir, 'state'),
        FLOTILLA_KUBECONFIG: cluster.kubeconfigPath,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    agent.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    agent.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));

    const deadline = Date.now() + 30_000;
    let row: { health: string | null; reportedGeneration: string | null; desiredGeneration: string | null } | undefined;
    while (Date.now() < deadline) {
      const result = await hub.graphql<{ bundleDeployments: NonNullable<typeof row>[] }>('{ bundleDeployments(cluster: "edge-1") { health reportedGeneration desiredGeneration } }', {
        token: hub.adminToken,
      });
      row = result.data?.bundleDeployments[0];
      if (row?.health === 'HEALTHY' && row.reportedGeneration === row.desiredGeneration) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(row).toMatchObject({ health: 'HEALTHY' });
    expect(row!.reportedGeneration).toBe(row!.desiredGeneration);
    const configMap = await new InMemoryClusterClient(cluster.cluster).get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'web', name: 'hello' });
    expect(configMap?.data).toEqual({ from: 'edge-1' });

    const exited = new Promise<number | null>((resolve) => agent!.once('exit', (code) => resolve(code)));
    agent.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('agent ready');
  });
});

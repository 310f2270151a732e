import { execFile, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeSimServer } from '@flotilla/kube-sim';

const kubectlAvailable = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;
if (!kubectlAvailable) console.warn('kubectl not found on PATH: skipping the kubectl acceptance tests against kube-sim');
const describeWithKubectl = kubectlAvailable ? describe : describe.skip;

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const deployment = (image: string, replicas = 2): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: ${image}
        ports: [{containerPort: 80, protocol: TCP}]
`;

describeWithKubectl('kubectl 1.32 against kube-sim', () => {
  let server: KubeSimServer;
  let dir: string;
  // Discovery and OpenAPI caches go to the temporary directory, not the user's ~/.kube/cache.
  const env = (): NodeJS.ProcessEnv => ({
    ...process.env,
    KUBECONFIG: server.kubeconfigPath,
    KUBECACHEDIR: join(dir, 'cache'),
    KUBE_EDITOR: 'sed -i s/nginx:1.27/nginx:1.28/',
    KUBECTL_EXTERNAL_DIFF: '',
  });

  function kubectl(...args: string[]): Promise<Run> {
    return new Promise((resolve) => {
      execFile('kubectl', args, { env: env(), timeout: 20_000 }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      });
    });
  }

  async function manifest(name: string, text: string): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  }

  beforeAll(async () => {
    server = await KubeSimServer.start({ controllerDelayMs: 10 });
    dir = await mkdtemp(join(tmpdir(), 'kube-sim-kubectl-'));
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('lists api-resources from aggregated discovery', async () => {
    const run = await kubectl('api-resources', '--api-group=apps');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
  });

  it('applies server-side, waits for Available, and prints upstream table columns', async () => {
    const file = await manifest('web.yaml', deployment('nginx:1.27'));
    const apply = await kubectl('apply', '--server-side', '-f', file);
    expect(apply.stdout.trim()).toBe('deployment.apps/web serverside-applied');
    expect((await kubectl('wait', '--for=condition=Available', 'deployment/web', '--timeout=10s')).stdout.trim()).toBe('deployment.apps/web condition met');
    const table = await kubectl('get', 'deploy');
    expect(table.stdout).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\nweb\s+2\/2\s+2\s+2\s+\d+s\n$/);
    const pods = await kubectl('get', 'pods', '-l', 'app=web', '--no-headers');
    expect(pods.stdout.trim().split('\n')).toEqual([expect.stringMatching(/^web-[0-9a-f]{10}-[a-z0-9]{5}\s+1\/1\s+Running\s+0\s+\d+s$/), expect.stringMatching(/1\/1\s+Running/)]);
    const yaml = await kubectl('get', 'deploy', 'web', '-o', 'yaml');
    expect(yaml.stdout).toContain('image: nginx:1.27');
    expect(yaml.stdout).toContain('observedGeneration: 1');
  });

  it('moves ownership with scale and edit, reports the conflicts, and takes them back with --force-conflicts', async () => {
    const file = await manifest('web.yaml', deployment('nginx:1.27'));
    expect((await kubectl('scale', 'deployment/web', '--replicas=4')).code).toBe(0);
    expect((await kubectl('edit', 'deployment/web')).code).toBe(0);
    const managers = await kubectl('get', 'deploy', 'web', '-o', 'jsonpath={range .metadata.managedFields[*]}{.manager}/{.operation}/{.subresource} {end}');
    expect(managers.stdout.trim().split(' ').sort()).toEqual([
      'kube-controller-manager/Update/',
      'kube-controller-manager/Update/status',
      'kubectl-edit/Update/',
      'kubectl/Apply/',
      'kubectl/Update/scale',
    ]);
    const conflict = await kubectl('apply', '--server-side', '-f', file);
    expect(conflict.code).not.toBe(0);
    expect(conflict.stderr).toContain('Apply failed with 2 conflicts: conflicts with "kubectl" with subresource "scale" using apps/v1:\n- .spec.replicas');
    expect(conflict.stderr).toContain('conflicts with "kubectl-edit" using apps/v1:\n- .spec.template.spec.containers[name="web"].image');
    const diff = await kubectl('diff', '--server-side', '--force-conflicts', '-f', file);
    expect(diff.code).toBe(1);
    expect(diff.stdout).toMatch(/^-\s+- image: nginx:1\.28$/m);
    expect(diff.stdout).toMatch(/^\+\s+- image: nginx:1\.27$/m);
    expect(diff.stdout).toMatch(/^-\s+replicas: 4$/m);
    expect((await kubectl('apply', '--server-side', '--force-conflicts', '-f', file)).code).toBe(0);
    const after = await kubectl('get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image}');
    expect(after.stdout).toBe('2 nginx:1.27');
  });

  it('streams changes with get -w', async () => {
    const child = spawn('kubectl', ['get', 'configmaps', '-w', '--output-watch-events'], { env: env() });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      const deadline = Date.now() + 10_000;
      const file = await manifest('cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: watched}\ndata: {a: "1"}\n');
      while (!output.includes('NAME')) {
        if (Date.now() > deadline) throw new Error(`get -w printed no header: ${output}`);
        await kubectl('apply', '--server-side', '-f', file);
      }
      await kubectl('delete', 'configmap', 'watched');
      while (!/DELETED\s+watched/.test(output)) {
        if (Date.now() > deadline) throw new Error(`get -w never showed the deletion: ${output}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(output).toMatch(/ADDED\s+watched\s+1\s+\d+s/);
    } finally {
      child.kill();
    }
  });

  it('establishes a CRD and serves its custom resources with printer columns', async () => {
    const crd = await manifest(
      'crd.yaml',
      `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wd]}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    additionalPrinterColumns:
    - {name: Size, type: integer, jsonPath: .spec.size}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer}
`,
    );
    expect((await kubectl('apply', '--server-side', '-f', crd)).code).toBe(0);
    expect((await kubectl('wait', '--for=condition=Established', 'crd/widgets.example.com', '--timeout=10s')).code).toBe(0);
    const widget = await manifest('widget.yaml', 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1}\nspec: {size: 3}\n');
    const applied = await kubectl('apply', '--server-side', '-f', widget);
    expect(applied.stdout.trim()).toBe('widget.example.com/w1 serverside-applied');
    expect((await kubectl('get', 'wd')).stdout).toMatch(/^NAME\s+SIZE\s+AGE\nw1\s+3\s+\d+s\n$/);
  });

  it('deletes a namespace with everything in it', async () => {
    const file = await manifest('team.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: team}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: team}\ndata: {a: "1"}\n');
    expect((await kubectl('apply', '--server-side', '-f', file)).code).toBe(0);
    const deleted = await kubectl('delete', 'namespace', 'team', '--timeout=10s');
    expect(deleted.stdout.trim()).toBe('namespace "team" deleted');
    const gone = await kubectl('get', 'namespace', 'team');
    expect(gone.stderr.trim()).toBe('Error from server (NotFound): namespaces "team" not found');
    expect(server.cluster.list({ type: server.cluster.resource('', 'v1', 'configmaps'), namespace: 'team' })['items']).toEqual([]);
  });
});

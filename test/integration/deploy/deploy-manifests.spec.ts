import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { KubeSimServer } from '@flotilla/kube-sim';
import { stringify } from 'yaml';
import {
  DEPLOY,
  deployFiles,
  findObject,
  kubectlAvailable,
  kustomizationDirs,
  kustomizationInputs,
  kustomize,
  manifestFiles,
  podSpecOf,
  readYamlDocuments,
  type Manifest,
} from './deploy-files.support.js';
import { validateManifest } from './openapi-manifest.validator.js';

if (!kubectlAvailable) console.warn('kubectl not found on PATH: the kustomize and apply checks of deploy/ cannot run');
const describeWithKubectl = kubectlAvailable ? describe : describe.skip;

/** The kustomizations a person applies (base/ is only ever applied through deploy/agent). */
const INSTALLABLE = ['hub', 'agent', 'agent/least-privilege', 'monitoring'];

describe('the OpenAPI validator itself', () => {
  const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'y' }, data: { a: 'b' } };
  const deployment = (container: Record<string, unknown>): Manifest => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'web' },
    spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [container] } } },
  });

  it('accepts a valid object', () => {
    expect(validateManifest(configMap)).toEqual([]);
    expect(validateManifest(deployment({ name: 'web', image: 'nginx', resources: { requests: { cpu: '250m', memory: 512 } } }))).toEqual([]);
  });

  it.each([
    ['an unknown field', deployment({ name: 'web', image: 'nginx', livenessprobe: {} }), '$.spec.template.spec.containers[0].livenessprobe', 'unknown field'],
    ['a missing required field', deployment({ image: 'nginx' }), '$.spec.template.spec.containers[0].name', 'required field is missing'],
    ['a wrong type', deployment({ name: 'web', ports: [{ containerPort: '80' }] }), '$.spec.template.spec.containers[0].ports[0].containerPort', 'expected integer'],
    ['a malformed quantity', deployment({ name: 'web', resources: { limits: { memory: '1 GB' } } }), '$.spec.template.spec.containers[0].resources.limits.memory', 'expected a quantity'],
    ['a namespace on a cluster-scoped kind', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a', namespace: 'b' } }, '$.metadata.namespace', 'cluster-scoped'],
    ['an unknown kind', { apiVersion: 'v1', kind: 'Widget', metadata: { name: 'a' } }, '$', 'not a kind Kubernetes v1.35 serves'],
  ])('refuses %s, naming where', (_what, object, path, message) => {
    const problems = validateManifest(object);
    expect(problems).toEqual(expect.arrayContaining([expect.objectContaining({ path, message: expect.stringContaining(message) })]));
  });

  it('requires a namespace on namespaced kinds only when asked (kustomize output)', () => {
    const bare = { ...configMap, metadata: { name: 'x' } };
    expect(validateManifest(bare)).toEqual([]);
    expect(validateManifest(bare, { requireNamespace: true })).toEqual([expect.objectContaining({ path: '$.metadata.namespace' })]);
  });
});

describe('deploy/ manifests against the Kubernetes v1.35 schema', () => {
  it('has the layout the README describes', () => {
    const files = deployFiles();
    for (const expected of ['README.md', 'hub/Dockerfile', 'agent/Dockerfile', 'monitoring/grafana-dashboard.json', 'monitoring/flotilla-alerts.rules.yaml']) {
      expect(files).toContain(expected);
    }
    expect(kustomizationDirs().sort()).toEqual(['agent', 'agent/base', 'agent/least-privilege', 'hub', 'monitoring']);
  });

  it.each(manifestFiles())('deploy/%s: every document is a valid object', (file) => {
    const documents = readYamlDocuments(file);
    expect(documents.length).toBeGreaterThan(0);
    for (const { object } of documents) {
      expect({ object: `${object.kind}/${object.metadata?.name}`, problems: validateManifest(object) }).toEqual({ object: `${object.kind}/${object.metadata?.name}`, problems: [] });
    }
  });

  it('every manifest and generator input belongs to a kustomization (nothing is left out of `kubectl apply -k`)', () => {
    const referenced = new Set(kustomizationDirs().flatMap(kustomizationInputs));
    const inputs = deployFiles().filter((file) => /\.(ya?ml|json)$/.test(file) && !file.endsWith('kustomization.yaml'));
    expect(inputs.filter((file) => !referenced.has(file))).toEqual([]);
  });
});

describeWithKubectl('deploy/ kustomizations', () => {
  it.each(INSTALLABLE)('kubectl kustomize deploy/%s: every object is valid, namespaced ones in a namespace', async (dir) => {
    const objects = await kustomize(dir);
    expect(objects.length).toBeGreaterThan(0);
    const problems = objects.flatMap((object) => validateManifest(object, { requireNamespace: true }).map((p) => `${object.kind}/${object.metadata.name} ${p.path}: ${p.message}`));
    expect(problems).toEqual([]);
  });

  it('the hub: probes on /healthz and /readyz, every Service and the budget select the hub pods by labels it has', async () => {
    const objects = await kustomize('hub');
    const deployment = findObject(objects, 'Deployment', 'flotilla-hub');
    const pod = podSpecOf(deployment);
    const labels = (deployment['spec'] as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;
    const [hub] = pod.containers;
    expect(hub!.livenessProbe?.httpGet?.path).toBe('/healthz');
    expect(hub!.readinessProbe?.httpGet?.path).toBe('/readyz');
    const portNames = (hub!.ports ?? []).map((p) => p.name);
    const selects = (selector: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);
    for (const service of objects.filter((o) => o.kind === 'Service')) {
      const spec = service['spec'] as { selector: Record<string, string>; ports: { targetPort: string }[] };
      expect(selects(spec.selector)).toBe(true);
      for (const port of spec.ports) expect(portNames).toContain(port.targetPort);
    }
    expect(objects.filter((o) => o.kind === 'Service').flatMap((s) => (s['spec'] as { ports: { targetPort: string }[] }).ports.map((p) => p.targetPort)).sort()).toEqual(['grpc', 'http', 'registration']);
    const budget = findObject(objects, 'PodDisruptionBudget', 'flotilla-hub');
    expect(selects((budget['spec'] as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels)).toBe(true);
    expect(findObject(objects, 'Secret', 'flotilla-hub-secrets')['stringData']).toHaveProperty('DATABASE_URL');
  });
});

describeWithKubectl('deploy/ applied to kube-sim with strict field validation', () => {
  let dir: string;
  const servers: KubeSimServer[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flotilla-deploy-'));
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await rm(dir, { recursive: true, force: true });
  });

  async function cluster(): Promise<KubeSimServer> {
    const server = await KubeSimServer.start();
    servers.push(server);
    return server;
  }

  /** kubectl with its caches in the test's directory; resolves with the exit code and output. */
  function kubectl(server: KubeSimServer, ...args: string[]): Promise<{ code: number; out: string }> {
    return new Promise((resolve) => {
      execFile('kubectl', args, { env: { ...process.env, KUBECONFIG: server.kubeconfigPath, KUBECACHEDIR: join(dir, 'cache') }, timeout: 30_000 }, (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, out: `${stdout}${stderr}` });
      });
    });
  }

  /** The documented install: server-side apply, which refuses undeclared fields whatever fieldValidation says. */
  const apply = (server: KubeSimServer, ...source: string[]) => kubectl(server, 'apply', '--server-side', '--validate=strict', '--field-manager=flotilla-install', ...source);
  /** A plain create (POST) with fieldValidation=Strict: without Strict the server would drop unknown fields silently. */
  const create = (server: KubeSimServer, ...source: string[]) => kubectl(server, 'create', '--validate=strict', ...source);

  /** Reads every object back through @kubernetes/client-node: each must exist as applied. */
  async function expectStored(server: KubeSimServer, objects: readonly Manifest[]): Promise<void> {
    const kc = new KubeConfig();
    kc.loadFromFile(server.kubeconfigPath);
    const client = KubernetesObjectApi.makeApiClient(kc);
    for (const object of objects) {
      const live = await client.read({ apiVersion: object.apiVersion, kind: object.kind, metadata: { name: object.metadata.name, namespace: object.metadata.namespace } });
      expect({ kind: live.kind, name: live.metadata?.name, namespace: live.metadata?.namespace }).toEqual({ kind: object.kind, name: object.metadata.name, namespace: object.metadata.namespace });
    }
  }

  it('refuses an unknown field on both paths, and only because of fieldValidation=Strict on create', async () => {
    const server = await cluster();
    const deployment = findObject(await kustomize('hub'), 'Deployment', 'flotilla-hub');
    const broken = structuredClone(deployment) as Manifest;
    const container = podSpecOf(broken).containers[0] as unknown as Record<string, unknown>;
    container['readinessprobe'] = container['readinessProbe'];
    const namespace = join(dir, 'namespace.yaml');
    const file = join(dir, 'broken.yaml');
    await writeFile(namespace, stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'flotilla' } }));
    await writeFile(file, stringify(broken));
    expect((await kubectl(server, 'create', '-f', namespace)).code).toBe(0);

    const applied = await apply(server, '-f', file);
    expect(applied.code).not.toBe(0);
    expect(applied.out).toContain('.spec.template.spec.containers[0].readinessprobe: field not declared in schema');
    const created = await create(server, '-f', file);
    expect(created.code).not.toBe(0);
    expect(created.out).toContain('strict decoding error: unknown field "spec.template.spec.containers[0].readinessprobe"');
    // The control: with fieldValidation=Ignore the same create passes, the unknown field silently dropped.
    expect((await kubectl(server, 'create', '--validate=false', '-f', file)).code).toBe(0);
  });

  it.each(INSTALLABLE)('kubectl create --validate=strict -k deploy/%s: every object is stored', async (target) => {
    const server = await cluster();
    // The monitoring ConfigMaps go into the hub's namespace, which deploy/hub creates.
    if (target === 'monitoring') expect(await create(server, '-f', join(DEPLOY, 'hub', 'namespace.yaml'))).toEqual({ code: 0, out: 'namespace/flotilla created\n' });
    const run = await create(server, '-k', join(DEPLOY, target));
    expect({ target, ...run }).toEqual({ target, code: 0, out: expect.stringContaining('created') });
    await expectStored(server, await kustomize(target));
  });

  it('kubectl apply --server-side -k deploy/hub and deploy/monitoring (the documented install): every object is stored', async () => {
    const server = await cluster();
    for (const target of ['hub', 'monitoring']) {
      const run = await apply(server, '-k', join(DEPLOY, target));
      expect({ target, ...run }).toEqual({ target, code: 0, out: expect.stringContaining('serverside-applied') });
      await expectStored(server, await kustomize(target));
    }
  });

  it('kubectl apply -k deploy/agent, then the documented switch to least privilege', async () => {
    const server = await cluster();
    const first = await apply(server, '-k', join(DEPLOY, 'agent'));
    expect(first).toEqual({ code: 0, out: expect.stringContaining('clusterrolebinding.rbac.authorization.k8s.io/flotilla-agent serverside-applied') });
    await expectStored(server, await kustomize('agent'));

    // roleRef is immutable: applied over the default install, the overlay is refused, loudly.
    const refused = await apply(server, '-k', join(DEPLOY, 'agent', 'least-privilege'));
    expect(refused.code).not.toBe(0);
    expect(refused.out).toContain('roleRef');
    // The README's two commands.
    expect((await kubectl(server, 'delete', 'clusterrolebinding', 'flotilla-agent', '--ignore-not-found')).code).toBe(0);
    const switched = await apply(server, '-k', join(DEPLOY, 'agent', 'least-privilege'));
    expect(switched).toEqual({ code: 0, out: expect.stringContaining('clusterrole.rbac.authorization.k8s.io/flotilla-agent-least-privilege serverside-applied') });
    const objects = await kustomize('agent/least-privilege');
    await expectStored(server, objects);
    const binding = await kubectl(server, 'get', 'clusterrolebinding', 'flotilla-agent', '-o', 'jsonpath={.roleRef.name}');
    expect(binding).toEqual({ code: 0, out: 'flotilla-agent-least-privilege' });
  });
});

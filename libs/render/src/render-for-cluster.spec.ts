import { prepareBundle, type PreparedBundle } from './prepare-bundle.js';
import { isTargeted, renderCacheKey, renderForCluster, renderSerialized, type ClusterFacts } from './render-for-cluster.js';
import { RenderError } from './render.error.js';

const SPEC = `name: web
namespace: web
targets:
  - selector: {matchLabels: {env: prod}}
values: {replicas: 2, image: "nginx:1.27"}
overlays:
  - selector: {matchLabels: {region: eu-west}}
    values: {replicas: 4}
    patches:
      - target: {kind: Deployment, name: web}
        merge: {spec: {template: {metadata: {annotations: {tier: gold}}}}}
      - target: {kind: Service, name: web}
        jsonPatch: [{op: replace, path: /spec/type, value: LoadBalancer}]
`;

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: "{{ values.replicas }}"
  template:
    spec:
      containers:
        - name: web
          image: "{{ values.image }}"
          env:
            - {name: REGION, value: "{{ cluster.labels.region }}"}
`;

const OTHERS = `apiVersion: v1
kind: Service
metadata: {name: web}
spec: {type: ClusterIP, ports: [{port: 80}]}
---
apiVersion: v1
kind: Namespace
metadata: {name: web}
---
# an empty document is skipped
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec: {group: example.com, scope: Namespaced, names: {kind: Widget, plural: widgets}}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
---
apiVersion: other.io/v1
kind: Gadget
metadata: {name: g}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
`;

const euProd: ClusterFacts = { name: 'eu-1', labels: { env: 'prod', region: 'eu-west' }, vars: {} };
const usProd: ClusterFacts = { name: 'us-1', labels: { env: 'prod', region: 'us-east' }, vars: {} };

async function prepare(files: Record<string, string>, dir = 'apps/web'): Promise<PreparedBundle> {
  return prepareBundle({ dir, files: new Map(Object.entries(files)) });
}

describe('renderForCluster', () => {
  let bundle: PreparedBundle;
  beforeAll(async () => (bundle = await prepare({ 'flotilla.yaml': SPEC, 'deployment.yaml': DEPLOYMENT, 'more/others.yml': OTHERS })));

  it('targets by selector; no targets means no clusters', async () => {
    expect(isTargeted(bundle.spec, euProd.labels)).toBe(true);
    expect(isTargeted(bundle.spec, { env: 'dev' })).toBe(false);
    const untargeted = await prepare({ 'flotilla.yaml': 'name: x\n' });
    expect(isTargeted(untargeted.spec, euProd.labels)).toBe(false);
  });

  it('templates scalars keeping types, merges overlay values and applies overlay patches', () => {
    const out = renderForCluster(bundle, euProd);
    const deployment = out.manifests.find((m) => m.kind === 'Deployment')!;
    expect(deployment.spec).toEqual({
      replicas: 4,
      template: {
        metadata: { annotations: { tier: 'gold' } },
        spec: { containers: [{ name: 'web', image: 'nginx:1.27', env: [{ name: 'REGION', value: 'eu-west' }] }] },
      },
    });
    expect(out.manifests.find((m) => m.kind === 'Service')!.spec).toEqual({ type: 'LoadBalancer', ports: [{ port: 80 }] });

    const us = renderForCluster(bundle, usProd);
    expect(us.manifests.find((m) => m.kind === 'Deployment')!.spec).toMatchObject({ replicas: 2 });
    expect(us.manifests.find((m) => m.kind === 'Service')!.spec).toMatchObject({ type: 'ClusterIP' });
  });

  it('labels every object, sets the default namespace only where the kind is known namespaced, orders CRDs and Namespaces first', () => {
    const out = renderForCluster(bundle, usProd);
    expect(out.manifests.map((m) => `${m.kind}:${m.metadata.namespace ?? '-'}`)).toEqual([
      'CustomResourceDefinition:-',
      'Namespace:-',
      'ClusterRole:-',
      'Service:web',
      'Deployment:web',
      'Gadget:-',
      'Widget:web',
    ]);
    for (const manifest of out.manifests) expect(manifest.metadata.labels?.['flotilla.dev/bundle']).toBe('web');
  });

  it('hashes content and policy, not the cluster or the revision', async () => {
    const again = await prepare({ 'flotilla.yaml': SPEC, 'deployment.yaml': DEPLOYMENT, 'more/others.yml': OTHERS });
    expect(renderForCluster(again, usProd).hash).toBe(renderForCluster(bundle, usProd).hash);
    expect(renderForCluster(bundle, { ...usProd, name: 'us-2' }).hash).toBe(renderForCluster(bundle, usProd).hash);
    expect(renderForCluster(bundle, euProd).hash).not.toBe(renderForCluster(bundle, usProd).hash);
    const policyChanged = await prepare({ 'flotilla.yaml': `${SPEC}apply: {drift: report}\n`, 'deployment.yaml': DEPLOYMENT, 'more/others.yml': OTHERS });
    expect(renderForCluster(policyChanged, usProd).manifests).toEqual(renderForCluster(bundle, usProd).manifests);
    expect(renderForCluster(policyChanged, usProd).hash).not.toBe(renderForCluster(bundle, usProd).hash);
  });

  it('carries the default namespace for kinds it cannot know, and hashes it: moving a bundle of unknown kinds changes its hash', async () => {
    const gadget = 'apiVersion: other.io/v1\nkind: Gadget\nmetadata: {name: g}\n';
    const inA = await prepare({ 'flotilla.yaml': 'name: g\nnamespace: team-a\n', 'gadget.yaml': gadget });
    const inB = await prepare({ 'flotilla.yaml': 'name: g\nnamespace: team-b\n', 'gadget.yaml': gadget });
    const nowhere = await prepare({ 'flotilla.yaml': 'name: g\n', 'gadget.yaml': gadget });
    expect(renderForCluster(inA, usProd)).toMatchObject({ namespace: 'team-a', manifests: [{ kind: 'Gadget', metadata: { name: 'g' } }] });
    expect(renderForCluster(inA, usProd).manifests).toEqual(renderForCluster(inB, usProd).manifests);
    expect(renderForCluster(inA, usProd).hash).not.toBe(renderForCluster(inB, usProd).hash);
    expect(renderForCluster(nowhere, usProd).namespace).toBeUndefined();
    expect(JSON.parse(renderSerialized(inA, usProd).json)).toMatchObject({ namespace: 'team-a' });
    expect(renderSerialized(inA, usProd).hash).toBe(renderForCluster(inA, usProd).hash);
    expect(Object.keys(JSON.parse(renderSerialized(nowhere, usProd).json) as object)).toEqual(['manifests', 'policy']);
  });

  it('lets clusters with equal effective inputs share a cache key', async () => {
    expect(bundle.clusterReads).toEqual(['cluster.labels.region']);
    const usTwin = { ...usProd, name: 'us-2', labels: { ...usProd.labels, team: 'x' } };
    expect(renderCacheKey(bundle, usTwin)).toBe(renderCacheKey(bundle, usProd));
    expect(renderCacheKey(bundle, euProd)).not.toBe(renderCacheKey(bundle, usProd));
    const byName = await prepare({ 'flotilla.yaml': 'name: n\n', 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: "{{ cluster.name }}"}\n' });
    expect(renderCacheKey(byName, usTwin)).not.toBe(renderCacheKey(byName, usProd));
    const dynamic = await prepare({ 'flotilla.yaml': 'name: n\nvalues: {k: env}\n', 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {x: "{{ cluster.labels[values.k] }}"}\n' });
    expect(dynamic.clusterReads).toBe('all');
  });

  it('keeps a cluster variable with a newline and YAML inside one string', async () => {
    const evil = 'x\nkind: Secret\nmetadata: {name: stolen}';
    const b = await prepare({ 'flotilla.yaml': 'name: n\n', 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {note: "{{ cluster.vars.note }}", typed: "{{ cluster.vars.note }}!"}\n' });
    const out = renderForCluster(b, { name: 'c', labels: {}, vars: { note: evil } });
    expect(out.manifests).toHaveLength(1);
    expect(out.manifests[0]!.data).toEqual({ note: evil, typed: `${evil}!` });
  });

  it.each<[string, Record<string, string>, RegExp]>([
    ['a template error, with file and line', { 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: d}\ndata: {a: "{{ values.nope }}"}\n' }, /^apps\/web\/cm\.yaml:5: ConfigMap d: data\.a: undefined variable: values\.nope/],
    ['a template reaching for the prototype', { 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: "{{ cluster.constructor.constructor }}"}\n' }, /undefined variable: cluster\.constructor/],
    ['an object without a name after templating', { 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: "{{ cluster.vars.empty }}"}\n' }, /the ConfigMap has no metadata\.name/],
    ['an object without kind', { 'cm.yaml': 'apiVersion: v1\nmetadata: {name: c}\n' }, /apps\/web\/cm\.yaml:1: the object has no kind/],
    ['the same object twice', { 'a.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: x}\n', 'b.json': '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"x"}}' }, /ConfigMap x\/c is defined twice: at apps\/web\/a\.yaml:1 and at apps\/web\/b\.json:1/],
    ['a patch that matches nothing', { 'flotilla.yaml': 'name: n\noverlays: [{selector: {}, patches: [{target: {kind: Secret}, merge: {a: 1}}]}]\n', 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n' }, /overlays\[0\]\.patches\[0\] matched no object/],
    ['a JSON patch that fails', { 'flotilla.yaml': 'name: n\noverlays: [{selector: {}, patches: [{target: {kind: ConfigMap}, jsonPatch: [{op: remove, path: /data/x}]}]}]\n', 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n' }, /overlays\[0\]\.patches\[0\] on ConfigMap c: operation 0 \(remove\)/],
  ])('reports %s', async (_name, files, message) => {
    let caught: unknown;
    try {
      const b = await prepare({ 'flotilla.yaml': 'name: n\n', ...files });
      renderForCluster(b, { name: 'c', labels: {}, vars: { empty: '' } });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RenderError);
    expect((caught as Error).message).toMatch(message);
  });

  it('expands List objects and ignores non-manifest files', async () => {
    const b = await prepare({
      'flotilla.yaml': 'name: n\n',
      'list.yaml': 'apiVersion: v1\nkind: List\nitems:\n  - {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n  - {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}\n',
      'README.md': '# not a manifest',
      '.hidden/x.yaml': 'not: [valid',
    });
    expect(renderForCluster(b, usProd).manifests.map((m) => m.metadata.name)).toEqual(['a', 'b']);
  });
});

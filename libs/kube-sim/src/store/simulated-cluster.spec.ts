import type { JsonObject } from '../fields/json-value.util.js';
import { KubeApiError } from './api-status.error.js';
import type { ObjectRef } from './api-request.js';
import { SimulatedCluster } from './simulated-cluster.js';
import type { WatchEvent } from './watch-hub.js';

function errorOf(fn: () => unknown): KubeApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof KubeApiError) return err;
    throw err;
  }
  throw new Error('expected a KubeApiError');
}

async function until(check: () => boolean, what: string, deadlineMs = 2000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const meta = (obj: JsonObject): JsonObject => obj['metadata'] as JsonObject;

describe('SimulatedCluster', () => {
  let cluster: SimulatedCluster;
  let cm: ObjectRef;
  let deploy: ObjectRef;
  let ns: ObjectRef;

  beforeEach(() => {
    cluster = new SimulatedCluster({ bookmarkIntervalMs: 20, watchWindow: 50 });
    cm = { type: cluster.resource('', 'v1', 'configmaps'), namespace: 'default' };
    deploy = { type: cluster.resource('apps', 'v1', 'deployments'), namespace: 'default' };
    ns = { type: cluster.resource('', 'v1', 'namespaces') };
  });
  afterEach(() => cluster.close());

  const deployment = (name: string, replicas: number): JsonObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
    },
  });

  it('derives built-in kinds with scope from the schema', () => {
    expect(cluster.resource('apps', 'v1', 'deployments')).toMatchObject({ kind: 'Deployment', namespaced: true, shortNames: ['deploy'] });
    expect(cluster.resource('rbac.authorization.k8s.io', 'v1', 'clusterroles')).toMatchObject({ kind: 'ClusterRole', namespaced: false });
    expect(cluster.resource('', 'v1', 'namespaces').namespaced).toBe(false);
    expect(errorOf(() => cluster.resource('apps', 'v1beta1', 'deployments')).code).toBe(404);
  });

  it('gives every write a new resourceVersion and bumps generation on spec changes only', () => {
    const created = cluster.create(deploy, deployment('web', 1), { fieldManager: 'test' }).object;
    expect(meta(created)).toMatchObject({ generation: 1, uid: expect.any(String), creationTimestamp: expect.stringMatching(/Z$/) });
    const rv1 = Number(meta(created)['resourceVersion']);
    const labelled = cluster.patch({ ...deploy, name: 'web' }, 'merge', { metadata: { labels: { a: 'b' } } }).object;
    expect(Number(meta(labelled)['resourceVersion'])).toBeGreaterThan(rv1);
    expect(meta(labelled)['generation']).toBe(1);
    const status = cluster.patch({ ...deploy, name: 'web', subresource: 'status' }, 'merge', { status: { replicas: 1 } }).object;
    expect(meta(status)['generation']).toBe(1);
    expect(status['status']).toEqual({ replicas: 1 });
    const scaled = cluster.patch({ ...deploy, name: 'web' }, 'merge', { spec: { replicas: 3 } }).object;
    expect(meta(scaled)['generation']).toBe(2);
    const again = cluster.patch({ ...deploy, name: 'web' }, 'merge', { spec: { replicas: 3 } }).object;
    expect(meta(again)['resourceVersion']).toBe(meta(scaled)['resourceVersion']);
  });

  it.each([
    ['Bad_Name', 422, 'Invalid', 'metadata.name'],
    ['', 422, 'Invalid', 'metadata.name'],
    ['a'.repeat(254), 422, 'Invalid', 'metadata.name'],
  ])('rejects the name %j with %i %s', (name, code, reason, field) => {
    const error = errorOf(() => cluster.create(cm, { metadata: { name }, data: {} }));
    expect(error.status).toMatchObject({ code, reason });
    expect(error.status.details?.causes?.[0]?.field).toBe(field);
  });

  it('reports missing required fields, unknown namespaces and duplicates as upstream', () => {
    const noSelector = errorOf(() => cluster.create(deploy, { metadata: { name: 'x' }, spec: { template: {} } }));
    expect(noSelector.status.details?.causes).toContainEqual({ type: 'FieldValueRequired', message: 'Required value', field: 'spec.selector' });
    expect(errorOf(() => cluster.create({ ...cm, namespace: 'nope' }, { metadata: { name: 'x' } })).message).toBe('namespaces "nope" not found');
    cluster.create(cm, { metadata: { name: 'x' } });
    const dup = errorOf(() => cluster.create(cm, { metadata: { name: 'x' } }));
    expect(dup.status).toMatchObject({ code: 409, reason: 'AlreadyExists', message: 'configmaps "x" already exists' });
    expect(errorOf(() => cluster.get({ ...deploy, name: 'nope' })).message).toBe('deployments.apps "nope" not found');
    expect(errorOf(() => cluster.create(cm, { metadata: { name: 'y' }, bogus: 1 }, { fieldValidation: 'Strict' })).message).toBe('ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "bogus"');
    expect(cluster.create(cm, { metadata: { name: 'z' }, bogus: 1 }).warnings).toEqual(['unknown field "bogus"']);
  });

  it('validates labels and immutable fields as upstream does', () => {
    const bad = errorOf(() => cluster.create(cm, { metadata: { name: 'l', labels: { 'bad key': 'x', ok: 'not ok!' } } }));
    expect(bad.status.details?.causes?.map((c) => c.field)).toEqual(['metadata.labels', 'metadata.labels']);
    cluster.create(deploy, deployment('imm', 1));
    const immutable = errorOf(() => cluster.patch({ ...deploy, name: 'imm' }, 'merge', { spec: { selector: { matchLabels: { app: 'other' } } } }));
    expect(immutable.status).toMatchObject({ code: 422, reason: 'Invalid' });
    expect(immutable.status.details?.causes?.[0]).toMatchObject({ field: 'spec.selector', message: expect.stringContaining('field is immutable') });
  });

  it('fills upstream defaults, owned by the creating manager', () => {
    const created = cluster.create(deploy, deployment('d', 1), { fieldManager: 'kubectl-create' }).object;
    const spec = created['spec'] as JsonObject;
    expect(spec).toMatchObject({ revisionHistoryLimit: 10, progressDeadlineSeconds: 600, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } } });
    const container = (((spec['template'] as JsonObject)['spec'] as JsonObject)['containers'] as JsonObject[])[0]!;
    expect(container).toMatchObject({ imagePullPolicy: 'Always', terminationMessagePath: '/dev/termination-log' });
    const fields = (meta(created)['managedFields'] as JsonObject[])[0]!['fieldsV1'] as JsonObject;
    expect((fields['f:spec'] as JsonObject)['f:progressDeadlineSeconds']).toEqual({});
    const svc = cluster.create({ type: cluster.resource('', 'v1', 'services'), namespace: 'default' }, { metadata: { name: 's' }, spec: { ports: [{ port: 80 }] } }).object;
    expect(svc['spec']).toMatchObject({ type: 'ClusterIP', clusterIP: expect.stringMatching(/^10\.96\./), ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }] });
  });

  it('lets an update rewrite ownership, and resets it with [{}]', () => {
    const created = cluster.patch({ ...cm, name: 'own' }, 'apply', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'own' }, data: { a: '1' } }, { fieldManager: 'flotilla' }).object;
    expect((meta(created)['managedFields'] as JsonObject[]).map((m) => m['manager'])).toEqual(['flotilla']);
    const reset = cluster.patch({ ...cm, name: 'own' }, 'merge', { metadata: { managedFields: [{}] } }, { fieldManager: 'janitor' }).object;
    expect(meta(reset)['managedFields']).toBeUndefined();
    const applied = errorOf(() => cluster.patch({ ...cm, name: 'own' }, 'apply', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'own', managedFields: [] } }, { fieldManager: 'x' }));
    expect(applied.message).toBe('metadata.managedFields must be nil');
  });

  it.each([
    ['create', 400, 'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32'],
    ['apply', 400, 'failed to create typed patch object (default/typed; apps/v1, Kind=Deployment): .spec.replicas: expected numeric (int or float), got string'],
  ] as const)('rejects values of the wrong type on %s as upstream words it', (verb, code, message) => {
    const body = { ...deployment('typed', 1), spec: { ...(deployment('typed', 1)['spec'] as JsonObject), replicas: 'two' } };
    const error = errorOf(() => (verb === 'create' ? cluster.create(deploy, body) : cluster.patch({ ...deploy, name: 'typed' }, 'apply', body, { fieldManager: 'x' })));
    expect(error.status).toMatchObject({ code, message });
  });

  it('folds Secret stringData into base64 data and rejects data that is not base64', () => {
    const secrets: ObjectRef = { type: cluster.resource('', 'v1', 'secrets'), namespace: 'default' };
    const created = cluster.create(secrets, { metadata: { name: 's' }, stringData: { password: 'hunter2' } }).object;
    expect(created).toMatchObject({ type: 'Opaque', data: { password: Buffer.from('hunter2').toString('base64') } });
    expect(created['stringData']).toBeUndefined();
    expect(errorOf(() => cluster.create(secrets, { metadata: { name: 't' }, data: { a: 'not base64!' } })).message).toBe(
      'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 3',
    );
  });

  it('rejects a stale update with 409 Conflict', () => {
    const created = cluster.create(cm, { metadata: { name: 'c' }, data: { a: '1' } }).object;
    cluster.update({ ...cm, name: 'c' }, { ...created, data: { a: '2' } });
    const stale = errorOf(() => cluster.update({ ...cm, name: 'c' }, { ...created, data: { a: '3' } }));
    expect(stale.status).toMatchObject({ code: 409, reason: 'Conflict' });
    expect(stale.message).toBe('Operation cannot be fulfilled on configmaps "c": the object has been modified; please apply your changes to the latest version and try again');
  });

  it('lists with label and field selectors and paginates with continue tokens', () => {
    for (let i = 0; i < 5; i++) cluster.create(cm, { metadata: { name: `c${i}`, labels: { parity: i % 2 ? 'odd' : 'even' } } });
    const names = (list: JsonObject): string[] => (list['items'] as JsonObject[]).map((o) => meta(o)['name'] as string);
    expect(names(cluster.list(cm, { labelSelector: 'parity=even' }))).toEqual(['c0', 'c2', 'c4']);
    expect(names(cluster.list(cm, { labelSelector: 'parity notin (even)' }))).toEqual(['c1', 'c3', 'kube-root-ca.crt']);
    expect(names(cluster.list(cm, { fieldSelector: 'metadata.name=c3' }))).toEqual(['c3']);
    expect(names(cluster.list({ ...cm, namespace: undefined }, { fieldSelector: 'metadata.namespace!=default' }))).toEqual(Array(3).fill('kube-root-ca.crt'));
    expect(errorOf(() => cluster.list(cm, { fieldSelector: 'spec.x=1' })).message).toBe('field label not supported: spec.x');
    const first = cluster.list(cm, { limit: 2, labelSelector: 'parity' });
    expect(names(first)).toEqual(['c0', 'c1']);
    expect(meta(first)['remainingItemCount']).toBe(3);
    cluster.delete({ ...cm, name: 'c3' });
    cluster.create(cm, { metadata: { name: 'c2a', labels: { parity: 'odd' } } });
    const second = cluster.list(cm, { limit: 2, labelSelector: 'parity', continue: meta(first)['continue'] as string });
    expect(names(second)).toEqual(['c2', 'c3']);
    expect(meta(second)['resourceVersion']).toBe(meta(first)['resourceVersion']);
    const last = cluster.list(cm, { limit: 2, labelSelector: 'parity', continue: meta(second)['continue'] as string });
    expect(names(last)).toEqual(['c4']);
    expect(meta(last)['continue']).toBeUndefined();
    expect(errorOf(() => cluster.list(cm, { continue: 'garbage' })).code).toBe(400);
    cluster.state.hub.compact(cluster.state.resourceVersion);
    expect(errorOf(() => cluster.list(cm, { limit: 2, continue: meta(first)['continue'] as string })).status).toMatchObject({ code: 410, reason: 'Expired' });
  });

  it('keeps an object with finalizers until they are removed', () => {
    cluster.create(cm, { metadata: { name: 'f', finalizers: ['example.com/hold'] } });
    const marked = cluster.delete({ ...cm, name: 'f' });
    expect(marked.finished).toBe(false);
    expect(meta(marked.object)['deletionTimestamp']).toEqual(expect.any(String));
    expect(cluster.get({ ...cm, name: 'f' })).toBeDefined();
    cluster.patch({ ...cm, name: 'f' }, 'merge', { metadata: { finalizers: null } });
    expect(errorOf(() => cluster.get({ ...cm, name: 'f' })).code).toBe(404);
  });

  it('cascades a namespace deletion to its contents, then removes the namespace', async () => {
    cluster.create(ns, { metadata: { name: 'team' } });
    cluster.create({ ...cm, namespace: 'team' }, { metadata: { name: 'a' } });
    cluster.create({ ...deploy, namespace: 'team' }, deployment('d', 1));
    const result = cluster.delete({ ...ns, name: 'team' });
    expect(result.object['status']).toEqual({ phase: 'Terminating' });
    expect(errorOf(() => cluster.create({ ...cm, namespace: 'team' }, { metadata: { name: 'late' } })).code).toBe(403);
    await until(() => {
      try {
        cluster.get({ ...ns, name: 'team' });
        return false;
      } catch {
        return true;
      }
    }, 'namespace removal');
    expect((cluster.list({ ...cm, namespace: 'team' })['items'] as unknown[]).length).toBe(0);
  });

  it('watches from a resourceVersion, sends bookmarks, and answers 410 when too old', async () => {
    const start = cluster.create(cm, { metadata: { name: 'w0' } }).object;
    const events: WatchEvent[] = [];
    const handle = cluster.watch(cm, { resourceVersion: meta(start)['resourceVersion'] as string, allowWatchBookmarks: true }, (e) => events.push(e));
    cluster.create(cm, { metadata: { name: 'w1', labels: { a: 'b' } } });
    cluster.delete({ ...cm, name: 'w0' });
    await until(() => events.some((e) => e.type === 'BOOKMARK'), 'a bookmark');
    handle.stop();
    expect(events.filter((e) => e.type !== 'BOOKMARK').map((e) => [e.type, meta(e.object)['name']])).toEqual([
      ['ADDED', 'w1'],
      ['DELETED', 'w0'],
    ]);
    const replayed: WatchEvent[] = [];
    cluster.watch(cm, { resourceVersion: meta(start)['resourceVersion'] as string }, (e) => replayed.push(e)).stop();
    expect(replayed.map((e) => e.type)).toEqual(['ADDED', 'DELETED']);
    const filtered: WatchEvent[] = [];
    const selective = cluster.watch(cm, { labelSelector: 'a=b' }, (e) => filtered.push(e));
    cluster.patch({ ...cm, name: 'w1' }, 'merge', { metadata: { labels: { a: 'c' } } });
    selective.stop();
    expect(filtered.map((e) => e.type)).toEqual(['ADDED', 'DELETED']);
    for (let i = 0; i < 60; i++) cluster.create(cm, { metadata: { name: `x${i}` } });
    const old = errorOf(() => cluster.watch(cm, { resourceVersion: meta(start)['resourceVersion'] as string }, () => undefined));
    expect(old.status).toMatchObject({ code: 410, reason: 'Expired' });
    expect(old.message).toMatch(/^too old resource version: \d+ \(\d+\)$/);
  });

  it('dry-run writes validate and answer but store nothing', () => {
    const before = cluster.state.resourceVersion;
    const result = cluster.create(cm, { metadata: { name: 'dry' } }, { dryRun: true });
    expect(meta(result.object)['name']).toBe('dry');
    expect(cluster.state.resourceVersion).toBe(before);
    expect(errorOf(() => cluster.get({ ...cm, name: 'dry' })).code).toBe(404);
  });

  it('serves custom resources once a CRD exists and marks it Established', async () => {
    const crds: ObjectRef = { type: cluster.resource('apiextensions.k8s.io', 'v1', 'customresourcedefinitions') };
    cluster.create(crds, {
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        scope: 'Namespaced',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget', shortNames: ['wd'] },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            subresources: { status: {} },
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: {
                  spec: {
                    type: 'object',
                    properties: {
                      ports: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['port'], items: { type: 'object', properties: { port: { type: 'integer' }, name: { type: 'string' } } } },
                    },
                  },
                  status: { type: 'object', properties: { ready: { type: 'boolean' } } },
                },
              },
            },
          },
        ],
      },
    });
    const widgets: ObjectRef = { type: cluster.resource('example.com', 'v1', 'widgets'), namespace: 'default' };
    const cfg = (name: string): JsonObject => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { ports: [{ port: 80, name }] } });
    cluster.patch({ ...widgets, name: 'w' }, 'apply', cfg('http'), { fieldManager: 'a' });
    const managed = (meta(cluster.get({ ...widgets, name: 'w' }))['managedFields'] as JsonObject[])[0]!;
    expect(managed['fieldsV1']).toEqual({ 'f:spec': { 'f:ports': { 'k:{"port":80}': { '.': {}, 'f:name': {}, 'f:port': {} } } } });
    const wrong = errorOf(() => cluster.patch({ ...widgets, name: 'w' }, 'apply', { ...cfg('x'), spec: { ports: [{ port: 'eighty' }] } }, { fieldManager: 'a' }));
    expect(wrong.status).toMatchObject({ code: 422, reason: 'Invalid' });
    expect(wrong.status.details?.causes?.[0]).toEqual({ type: 'FieldValueTypeInvalid', field: 'spec.ports[0].port', message: 'Invalid value: "string": spec.ports[0].port in body must be of type integer: "string"' });
    await until(() => {
      const status = cluster.get({ ...crds, name: 'widgets.example.com' })['status'] as JsonObject | undefined;
      return JSON.stringify(status ?? {}).includes('"Established"');
    }, 'Established');
  });
});

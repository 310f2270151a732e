import type { KubeObject } from '@flotilla/cluster-client';
import { canonical, declaredDrift, withoutIgnored } from './field-drift.util.js';

const deployment = (replicas: number, image: string, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'api', namespace: 'shop', labels: { app: 'api' } },
  spec: { replicas, template: { spec: { containers: [{ name: 'sidecar', image: 'side:1' }, { name: 'api', image, ...extra }] } } },
});

const managedFields = [
  { manager: 'flotilla', operation: 'Apply', fieldsV1: { 'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"api"}': { 'f:image': {} } } } } } } },
  { manager: 'kubectl-edit', operation: 'Update', fieldsV1: { 'f:spec': { 'f:replicas': {} } } },
];

describe('declaredDrift', () => {
  it('finds changed declared fields with both values and the manager that owns them', () => {
    const desired = deployment(2, 'api:1');
    const live = { ...deployment(9, 'api:1'), metadata: { ...deployment(9, 'api:1').metadata, managedFields } };
    expect(declaredDrift(desired, desired, live, 'flotilla')).toEqual([{ path: '/spec/replicas', liveJson: '9', desiredJson: '2', manager: 'kubectl-edit' }]);
  });

  it('matches list items by their merge key, not their position', () => {
    const desired = deployment(2, 'api:2');
    const live = deployment(2, 'api:1');
    (live['spec'] as { template: { spec: { containers: unknown[] } } }).template.spec.containers.reverse();
    live.metadata.managedFields = managedFields;
    expect(declaredDrift(desired, desired, live, 'flotilla')).toEqual([{ path: '/spec/template/spec/containers/1/image', liveJson: '"api:1"', desiredJson: '"api:2"', manager: 'flotilla' }]);
  });

  it('ignores fields the bundle does not declare, and compares the server-normalized preview', () => {
    const desired = deployment(2, 'api:1');
    const preview = deployment(2, 'api:1', { imagePullPolicy: 'IfNotPresent' });
    const live = deployment(2, 'api:1', { imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log' });
    expect(declaredDrift(desired, preview, live, 'flotilla')).toEqual([]);
  });

  it('redacts Secret values, stringData included', () => {
    const desired: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { password: 'hunter2' } };
    const preview: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { password: 'aHVudGVyMg==' } };
    const live: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { password: 'b3RoZXI=' } };
    const drift = declaredDrift(desired, preview, live, 'flotilla');
    expect(drift).toEqual([{ path: '/data/password', liveJson: '"(changed)"', desiredJson: '"(changed)"', manager: '' }]);
    expect(JSON.stringify(drift)).not.toMatch(/aHVudGVyMg|b3RoZXI|hunter2/);
  });

  it('drops ignored paths for matching targets only', () => {
    const drift = [
      { path: '/spec/replicas', liveJson: '9', desiredJson: '2', manager: 'hpa' },
      { path: '/spec/template/spec/containers/1/image', liveJson: '"a"', desiredJson: '"b"', manager: 'x' },
    ];
    const policy = { ignore: [{ target: { kind: 'Deployment' }, paths: ['/spec/replicas'] }] };
    expect(withoutIgnored(deployment(2, 'a'), drift, policy).map((d) => d.path)).toEqual(['/spec/template/spec/containers/1/image']);
    expect(withoutIgnored({ ...deployment(2, 'a'), kind: 'StatefulSet' }, drift, policy)).toHaveLength(2);
  });

  it('canonical JSON sorts keys', () => {
    expect(canonical({ b: 1, a: [{ d: 1, c: 2 }] })).toBe('{"a":[{"c":2,"d":1}],"b":1}');
  });
});

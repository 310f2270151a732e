import type { JsonObject } from '../fields/json-value.util.js';
import { ResourceCatalog } from '../schema/resource-catalog.js';
import type { ResourceType } from '../schema/resource-type.js';
import { KubeApiError } from '../store/api-status.error.js';
import { applyConfiguration, recordUpdate } from './apply-engine.js';

const NOW = '2026-11-22T06:00:00Z';
const deployments = new ResourceCatalog().get('apps', 'v1', 'deployments') as ResourceType;

function deployment(replicas: number, containers: JsonObject[]): JsonObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers } },
    },
  };
}

const web = (image: string, ports: JsonObject[] = [{ containerPort: 80, protocol: 'TCP' }]): JsonObject => ({
  name: 'web',
  image,
  ports,
});

function managed(obj: JsonObject): Array<Record<string, unknown>> {
  return ((obj['metadata'] as JsonObject)['managedFields'] ?? []) as Array<Record<string, unknown>>;
}

function apply(live: JsonObject | undefined, config: JsonObject, manager: string, force = false): JsonObject {
  return applyConfiguration({ type: deployments, live, config, manager, force, now: NOW });
}

function spec(obj: JsonObject): JsonObject {
  return obj['spec'] as JsonObject;
}

function conflictOf(fn: () => unknown): KubeApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof KubeApiError) return err;
    throw err;
  }
  throw new Error('expected a conflict');
}

describe('applyConfiguration', () => {
  it('records FieldsV1 down to containers keyed by name and ports keyed by containerPort+protocol (golden)', () => {
    const created = apply(undefined, deployment(2, [web('nginx:1', [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 443 }])]), 'flotilla');
    expect(managed(created)).toEqual([
      {
        manager: 'flotilla',
        operation: 'Apply',
        apiVersion: 'apps/v1',
        time: NOW,
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': { 'f:labels': { 'f:app': {} } },
          'f:spec': {
            'f:replicas': {},
            'f:selector': {},
            'f:template': {
              'f:metadata': { 'f:labels': { 'f:app': {} } },
              'f:spec': {
                'f:containers': {
                  'k:{"name":"web"}': {
                    '.': {},
                    'f:image': {},
                    'f:name': {},
                    'f:ports': {
                      'k:{"containerPort":443,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} },
                      'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:protocol': {} },
                    },
                  },
                },
              },
            },
          },
        },
      },
    ]);
    expect(JSON.stringify(managed(created)[0]!['fieldsV1'])).toContain('"k:{\\"containerPort\\":80,\\"protocol\\":\\"TCP\\"}":{".":{}');
  });

  it('moves ownership to an Update manager and reports the conflict in upstream wording (golden)', () => {
    const created = apply(undefined, deployment(2, [web('nginx:1')]), 'flotilla');
    const edited = recordUpdate({
      type: deployments,
      live: created,
      next: deployment(5, [web('nginx:2')]) as JsonObject,
      manager: 'kubectl-edit',
      now: NOW,
    });
    const edit = managed(edited).find((m) => m['manager'] === 'kubectl-edit')!;
    expect(edit).toMatchObject({ operation: 'Update', apiVersion: 'apps/v1' });
    expect(edit['fieldsV1']).toEqual({
      'f:spec': {
        'f:replicas': {},
        'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { 'f:image': {} } } } },
      },
    });

    const error = conflictOf(() => apply(edited, deployment(2, [web('nginx:1')]), 'flotilla'));
    expect(error.status).toMatchObject({ code: 409, reason: 'Conflict' });
    expect(error.message).toBe(
      'Apply failed with 2 conflicts: conflicts with "kubectl-edit" using apps/v1:\n' +
        '- .spec.replicas\n' +
        '- .spec.template.spec.containers[name="web"].image',
    );
    expect(error.status.details?.causes).toEqual([
      { type: 'FieldManagerConflict', message: 'conflict with "kubectl-edit" using apps/v1', field: '.spec.replicas' },
      {
        type: 'FieldManagerConflict',
        message: 'conflict with "kubectl-edit" using apps/v1',
        field: '.spec.template.spec.containers[name="web"].image',
      },
    ]);

    const single = conflictOf(() => apply(edited, deployment(3, [web('nginx:2')]), 'flotilla'));
    expect(single.message).toBe('Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: .spec.replicas');

    const forced = apply(edited, deployment(2, [web('nginx:1')]), 'flotilla', true);
    expect(spec(forced)['replicas']).toBe(2);
    expect(managed(forced).map((m) => m['manager'])).toEqual(['flotilla']);
  });

  it('shares ownership without conflict when another applier sets the same value', () => {
    const created = apply(undefined, deployment(2, [web('nginx:1')]), 'flotilla');
    const shared = apply(created, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 2 } }, 'other');
    expect(managed(shared).map((m) => m['manager'])).toEqual(['flotilla', 'other']);
    expect(conflictOf(() => apply(shared, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 4 } }, 'third')).message).toBe(
      'Apply failed with 2 conflicts: conflicts with "flotilla":\n- .spec.replicas\nconflicts with "other":\n- .spec.replicas',
    );
  });

  it.each([
    ['removes a field nobody else owns', false, undefined],
    ['keeps a field another manager also owns', true, 'shared'],
  ])('%s when the applier stops applying it', (_name, otherOwns, expected) => {
    const withAnnotation = deployment(2, [web('nginx:1')]);
    (withAnnotation['metadata'] as JsonObject)['annotations'] = { note: 'shared' };
    let live = apply(undefined, withAnnotation, 'flotilla');
    if (otherOwns) {
      live = apply(live, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', annotations: { note: 'shared' } } }, 'other');
    }
    const next = apply(live, deployment(2, [web('nginx:1')]), 'flotilla');
    const annotations = (next['metadata'] as JsonObject)['annotations'] as JsonObject | undefined;
    expect(annotations?.['note']).toBe(expected);
  });

  it('removes a list item the applier stopped applying but keeps the other manager\'s fields of a shared item', () => {
    const sidecar: JsonObject = { name: 'sidecar', image: 'envoy:1' };
    const live = apply(undefined, deployment(1, [web('nginx:1'), sidecar]), 'flotilla');
    const patched = recordUpdate({
      type: deployments,
      live,
      next: deployment(1, [{ ...web('nginx:1'), env: [{ name: 'A', value: '1' }] }, sidecar]),
      manager: 'kubectl-patch',
      now: NOW,
    });
    const next = apply(patched, deployment(1, [web('nginx:1')]), 'flotilla');
    const containers = (((spec(next)['template'] as JsonObject)['spec'] as JsonObject)['containers'] ?? []) as JsonObject[];
    expect(containers.map((c) => c['name'])).toEqual(['web']);
    expect(containers[0]!['env']).toEqual([{ name: 'A', value: '1' }]);
  });

  it('ignores status on the main resource and the rest on the status subresource', () => {
    const withStatus = { ...deployment(1, [web('nginx:1')]), status: { replicas: 9 } };
    const created = apply(undefined, withStatus, 'flotilla');
    expect(created['status']).toBeUndefined();
    const status = applyConfiguration({
      type: deployments,
      live: created,
      config: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 7 }, status: { replicas: 1 } },
      manager: 'controller',
      force: false,
      subresource: 'status',
      now: NOW,
    });
    expect(spec(status)['replicas']).toBe(1);
    expect(status['status']).toEqual({ replicas: 1 });
    expect(managed(status).find((m) => m['manager'] === 'controller')).toMatchObject({ subresource: 'status', fieldsV1: { 'f:status': { 'f:replicas': {} } } });
  });
});

import { isJsonObject, type JsonObject, type JsonValue } from '../fields/json-value.util.js';
import type { ResourceType } from '../schema/resource-type.js';
import { metadataOf } from '../store/api-request.js';

/** One Table column definition, as `meta.k8s.io/v1` Table declares it. */
interface Column {
  readonly name: string;
  readonly type: string;
  readonly format?: string;
  readonly priority?: number;
  readonly cell: (obj: JsonObject, now: Date) => JsonValue;
}

type O = JsonObject;
const obj = (v: JsonValue | undefined): O => (isJsonObject(v) ? v : {});
const arr = (v: JsonValue | undefined): JsonValue[] => (Array.isArray(v) ? v : []);
const num = (v: JsonValue | undefined): number => (typeof v === 'number' ? v : 0);
const str = (v: JsonValue | undefined, fallback = '<none>'): string => (typeof v === 'string' && v !== '' ? v : fallback);

/** Upstream's `duration.HumanDuration` as `kubectl get` shows ages: 45s, 5m10s, 3h, 2d4h, 400d. */
export function humanAge(from: string | undefined, now: Date): string {
  if (!from) return '<unknown>';
  const s = Math.max(0, Math.floor((now.getTime() - Date.parse(from)) / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (d < 8) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
  return d < 365 * 2 ? `${d}d` : `${Math.floor(d / 365)}y${d % 365}d`;
}

const NAME: Column = { name: 'Name', type: 'string', format: 'name', cell: (o) => str(metadataOf(o)['name'], '') };
const AGE: Column = { name: 'Age', type: 'string', cell: (o, now) => humanAge(metadataOf(o)['creationTimestamp'] as string, now) };
const CREATED_AT: Column = { name: 'Created At', type: 'date', cell: (o) => str(metadataOf(o)['creationTimestamp'], '') };

function selectorString(sel: JsonValue | undefined): string {
  const labels = obj(obj(sel)['matchLabels']);
  const parts = Object.entries(labels).map(([k, v]) => `${k}=${String(v)}`);
  return parts.length > 0 ? parts.join(',') : '<none>';
}

const containersOf = (o: O): O[] => arr(obj(obj(obj(o['spec'])['template'])['spec'])['containers']).map(obj);

const COLUMNS: Readonly<Record<string, readonly Column[]>> = {
  '/pods': [
    NAME,
    { name: 'Ready', type: 'string', cell: (o) => `${arr(obj(o['status'])['containerStatuses']).filter((c) => obj(c)['ready'] === true).length}/${arr(obj(o['spec'])['containers']).length}` },
    { name: 'Status', type: 'string', cell: (o) => str(obj(o['status'])['phase'], 'Pending') },
    { name: 'Restarts', type: 'string', cell: (o) => String(arr(obj(o['status'])['containerStatuses']).reduce<number>((n, c) => n + num(obj(c)['restartCount']), 0)) },
    AGE,
    { name: 'IP', type: 'string', priority: 1, cell: (o) => str(obj(o['status'])['podIP']) },
    { name: 'Node', type: 'string', priority: 1, cell: (o) => str(obj(o['spec'])['nodeName']) },
  ],
  '/namespaces': [NAME, { name: 'Status', type: 'string', cell: (o) => str(obj(o['status'])['phase'], 'Active') }, AGE],
  '/configmaps': [NAME, { name: 'Data', type: 'integer', cell: (o) => Object.keys(obj(o['data'])).length + Object.keys(obj(o['binaryData'])).length }, AGE],
  '/secrets': [
    NAME,
    { name: 'Type', type: 'string', cell: (o) => str(o['type'], 'Opaque') },
    { name: 'Data', type: 'integer', cell: (o) => Object.keys(obj(o['data'])).length },
    AGE,
  ],
  '/serviceaccounts': [NAME, { name: 'Secrets', type: 'integer', cell: (o) => arr(o['secrets']).length }, AGE],
  '/services': [
    NAME,
    { name: 'Type', type: 'string', cell: (o) => str(obj(o['spec'])['type'], 'ClusterIP') },
    { name: 'Cluster-IP', type: 'string', cell: (o) => str(obj(o['spec'])['clusterIP']) },
    { name: 'External-IP', type: 'string', cell: (o) => arr(obj(obj(o['status'])['loadBalancer'])['ingress']).map((i) => str(obj(i)['ip'] ?? obj(i)['hostname'], '')).join(',') || '<none>' },
    { name: 'Port(s)', type: 'string', cell: (o) => arr(obj(o['spec'])['ports']).map((p) => `${num(obj(p)['port'])}/${str(obj(p)['protocol'], 'TCP')}`).join(',') || '<none>' },
    AGE,
    { name: 'Selector', type: 'string', priority: 1, cell: (o) => Object.entries(obj(obj(o['spec'])['selector'])).map(([k, v]) => `${k}=${String(v)}`).join(',') || '<none>' },
  ],
  '/persistentvolumeclaims': [
    NAME,
    { name: 'Status', type: 'string', cell: (o) => str(obj(o['status'])['phase'], 'Pending') },
    { name: 'Volume', type: 'string', cell: (o) => str(obj(o['spec'])['volumeName'], '') },
    { name: 'Capacity', type: 'string', cell: (o) => str(obj(obj(o['status'])['capacity'])['storage'], '') },
    { name: 'Access Modes', type: 'string', cell: () => '' },
    { name: 'StorageClass', type: 'string', cell: (o) => str(obj(o['spec'])['storageClassName'], '<unset>') },
    { name: 'VolumeAttributesClass', type: 'string', cell: (o) => str(obj(o['spec'])['volumeAttributesClassName'], '<unset>') },
    AGE,
  ],
  'apps/deployments': [
    NAME,
    { name: 'Ready', type: 'string', cell: (o) => `${num(obj(o['status'])['readyReplicas'])}/${num(obj(o['spec'])['replicas'] ?? 1)}` },
    { name: 'Up-to-date', type: 'integer', cell: (o) => num(obj(o['status'])['updatedReplicas']) },
    { name: 'Available', type: 'integer', cell: (o) => num(obj(o['status'])['availableReplicas']) },
    AGE,
    { name: 'Containers', type: 'string', priority: 1, cell: (o) => containersOf(o).map((c) => str(c['name'], '')).join(',') },
    { name: 'Images', type: 'string', priority: 1, cell: (o) => containersOf(o).map((c) => str(c['image'], '')).join(',') },
    { name: 'Selector', type: 'string', priority: 1, cell: (o) => selectorString(obj(o['spec'])['selector']) },
  ],
  'apps/statefulsets': [NAME, { name: 'Ready', type: 'string', cell: (o) => `${num(obj(o['status'])['readyReplicas'])}/${num(obj(o['spec'])['replicas'] ?? 1)}` }, AGE],
  'apps/replicasets': [
    NAME,
    { name: 'Desired', type: 'integer', cell: (o) => num(obj(o['spec'])['replicas'] ?? 1) },
    { name: 'Current', type: 'integer', cell: (o) => num(obj(o['status'])['replicas']) },
    { name: 'Ready', type: 'integer', cell: (o) => num(obj(o['status'])['readyReplicas']) },
    AGE,
  ],
  'apps/daemonsets': [
    NAME,
    ...(['desiredNumberScheduled', 'currentNumberScheduled', 'numberReady', 'updatedNumberScheduled', 'numberAvailable'] as const).map(
      (field, i): Column => ({ name: ['Desired', 'Current', 'Ready', 'Up-to-date', 'Available'][i]!, type: 'integer', cell: (o) => num(obj(o['status'])[field]) }),
    ),
    { name: 'Node Selector', type: 'string', cell: (o) => Object.entries(obj(obj(obj(obj(o['spec'])['template'])['spec'])['nodeSelector'])).map(([k, v]) => `${k}=${String(v)}`).join(',') || '<none>' },
    AGE,
  ],
  'batch/jobs': [
    NAME,
    { name: 'Status', type: 'string', cell: (o) => (num(obj(o['status'])['succeeded']) >= num(obj(o['spec'])['completions'] ?? 1) ? 'Complete' : num(obj(o['status'])['failed']) > 0 ? 'Failed' : 'Running') },
    { name: 'Completions', type: 'string', cell: (o) => `${num(obj(o['status'])['succeeded'])}/${num(obj(o['spec'])['completions'] ?? 1)}` },
    { name: 'Duration', type: 'string', cell: () => '' },
    AGE,
  ],
  'batch/cronjobs': [
    NAME,
    { name: 'Schedule', type: 'string', cell: (o) => str(obj(o['spec'])['schedule'], '') },
    { name: 'Timezone', type: 'string', cell: (o) => str(obj(o['spec'])['timeZone']) },
    { name: 'Suspend', type: 'boolean', cell: (o) => obj(o['spec'])['suspend'] === true },
    { name: 'Active', type: 'integer', cell: (o) => arr(obj(o['status'])['active']).length },
    { name: 'Last Schedule', type: 'string', cell: (o, now) => (obj(o['status'])['lastScheduleTime'] ? humanAge(obj(o['status'])['lastScheduleTime'] as string, now) : '<none>') },
    AGE,
  ],
  'networking.k8s.io/ingresses': [
    NAME,
    { name: 'Class', type: 'string', cell: (o) => str(obj(o['spec'])['ingressClassName']) },
    { name: 'Hosts', type: 'string', cell: (o) => arr(obj(o['spec'])['rules']).map((r) => str(obj(r)['host'], '*')).join(',') || '*' },
    { name: 'Address', type: 'string', cell: () => '' },
    { name: 'Ports', type: 'string', cell: (o) => (arr(obj(o['spec'])['tls']).length > 0 ? '80, 443' : '80') },
    AGE,
  ],
  'networking.k8s.io/networkpolicies': [NAME, { name: 'Pod-Selector', type: 'string', cell: (o) => (selectorString(obj(o['spec'])['podSelector']) === '<none>' ? '<none>' : selectorString(obj(o['spec'])['podSelector'])) }, AGE],
  'rbac.authorization.k8s.io/rolebindings': [NAME, { name: 'Role', type: 'string', cell: (o) => `${str(obj(o['roleRef'])['kind'], '')}/${str(obj(o['roleRef'])['name'], '')}` }, AGE],
  'rbac.authorization.k8s.io/clusterrolebindings': [NAME, { name: 'Role', type: 'string', cell: (o) => `${str(obj(o['roleRef'])['kind'], '')}/${str(obj(o['roleRef'])['name'], '')}` }, AGE],
};

function jsonPathCell(o: O, path: string): JsonValue {
  let node: JsonValue | undefined = o;
  for (const part of path.replace(/^\./, '').split('.')) {
    const m = /^(\w[\w-]*)(?:\[(\d+)\])?$/.exec(part);
    if (!m) return null;
    node = obj(node)[m[1]!];
    if (m[2] !== undefined) node = arr(node)[Number(m[2])];
  }
  return node ?? null;
}

function columnsFor(type: ResourceType): readonly Column[] {
  if (type.custom) {
    const extra = (type.printerColumns ?? []).map((c): Column => ({ name: c.name, type: c.type, format: c.format, priority: c.priority, cell: (o) => jsonPathCell(o, c.jsonPath) }));
    return [NAME, ...extra, ...(extra.some((c) => c.name === 'Age') ? [] : [AGE])];
  }
  return COLUMNS[`${type.group}/${type.plural}`] ?? [NAME, CREATED_AT];
}

/** Whether an Accept header asks for a `meta.k8s.io` Table (as `kubectl get` does). */
export function wantsTable(accept: string | undefined): boolean {
  return !!accept && /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept);
}

function rowObject(o: O, includeObject: string | undefined, listed: ResourceType): JsonValue {
  if (includeObject === 'None') return null;
  if (includeObject === 'Object') return o['kind'] ? o : { apiVersion: listed.group ? `${listed.group}/${listed.version}` : listed.version, kind: listed.kind, ...o };
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: metadataOf(o) };
}

/** Renders objects as a Table with the upstream columns for the kind (CRDs: their additionalPrinterColumns). */
export function toTable(type: ResourceType, objects: readonly O[], listMeta: O, includeObject: string | undefined, now = new Date()): O {
  const columns = columnsFor(type);
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: columns.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: '', priority: c.priority ?? 0 })),
    rows: objects.map((o) => ({ cells: columns.map((c) => c.cell(o, now)), object: rowObject(o, includeObject, type) })),
  };
}

import { cloneJson, isJsonObject, type JsonObject, type JsonValue } from '../fields/json-value.util.js';
import type { ResourceType } from '../schema/resource-type.js';

/**
 * The defaults the real API server's defaulting functions add to the workload kinds people
 * read most (`kubectl get -o yaml`, managedFields of creates): pod template, Deployment,
 * StatefulSet, DaemonSet, Job, CronJob, Service, Secret, PVC. Only absent fields are set, so a
 * value a client sent always wins; running it twice changes nothing.
 */
export function withBuiltinDefaults(type: ResourceType, obj: JsonObject, allocateClusterIP: () => string): JsonObject {
  if (type.custom) return obj;
  const out: JsonObject = cloneJson(obj);
  const spec = child(out, 'spec');
  switch (`${type.group}/${type.plural}`) {
    case '/pods':
      podSpec(spec, true);
      return out;
    case 'apps/deployments':
      setDefault(spec, 'replicas', 1);
      setDefault(spec, 'revisionHistoryLimit', 10);
      setDefault(spec, 'progressDeadlineSeconds', 600);
      rollingUpdate(spec, 'strategy', { maxUnavailable: '25%', maxSurge: '25%' });
      template(spec, true);
      return out;
    case 'apps/statefulsets':
      setDefault(spec, 'replicas', 1);
      setDefault(spec, 'podManagementPolicy', 'OrderedReady');
      setDefault(spec, 'revisionHistoryLimit', 10);
      setDefault(spec, 'persistentVolumeClaimRetentionPolicy', { whenDeleted: 'Retain', whenScaled: 'Retain' });
      rollingUpdate(spec, 'updateStrategy', { partition: 0 });
      template(spec, true);
      return out;
    case 'apps/daemonsets':
      setDefault(spec, 'revisionHistoryLimit', 10);
      rollingUpdate(spec, 'updateStrategy', { maxUnavailable: 1, maxSurge: 0 });
      template(spec, true);
      return out;
    case 'apps/replicasets':
      setDefault(spec, 'replicas', 1);
      template(spec, true);
      return out;
    case 'batch/jobs':
      jobSpec(spec);
      return out;
    case 'batch/cronjobs': {
      setDefault(spec, 'concurrencyPolicy', 'Allow');
      setDefault(spec, 'suspend', false);
      setDefault(spec, 'successfulJobsHistoryLimit', 3);
      setDefault(spec, 'failedJobsHistoryLimit', 1);
      jobSpec(child(child(spec, 'jobTemplate'), 'spec'));
      return out;
    }
    case '/services':
      serviceSpec(spec, allocateClusterIP);
      return out;
    case '/secrets': {
      setDefault(out, 'type', 'Opaque');
      // stringData is write-only: the registry folds it into data (base64) and never stores it.
      const stringData = out['stringData'];
      if (isJsonObject(stringData)) {
        const data = child(out, 'data');
        for (const [k, v] of Object.entries(stringData)) if (typeof v === 'string') data[k] = Buffer.from(v, 'utf8').toString('base64');
      }
      delete out['stringData'];
      return out;
    }
    case '/persistentvolumeclaims':
      setDefault(spec, 'volumeMode', 'Filesystem');
      return out;
    default:
      return obj;
  }
}

function child(parent: JsonObject, key: string): JsonObject {
  const value = parent[key];
  if (isJsonObject(value)) return value;
  const created: JsonObject = {};
  parent[key] = created;
  return created;
}

function setDefault(target: JsonObject, key: string, value: JsonValue): void {
  if (target[key] === undefined || target[key] === null) target[key] = value;
}

function rollingUpdate(spec: JsonObject, field: string, params: JsonObject): void {
  const strategy = child(spec, field);
  setDefault(strategy, 'type', 'RollingUpdate');
  if (strategy['type'] === 'RollingUpdate') {
    const rolling = child(strategy, 'rollingUpdate');
    for (const [k, v] of Object.entries(params)) setDefault(rolling, k, v);
  }
}

function template(spec: JsonObject, restartAlways: boolean): void {
  const tpl = spec['template'];
  if (isJsonObject(tpl)) podSpec(child(tpl, 'spec'), restartAlways);
}

function jobSpec(spec: JsonObject): void {
  setDefault(spec, 'backoffLimit', 6);
  setDefault(spec, 'completions', 1);
  setDefault(spec, 'parallelism', 1);
  setDefault(spec, 'completionMode', 'NonIndexed');
  setDefault(spec, 'suspend', false);
  setDefault(spec, 'podReplacementPolicy', 'TerminatingOrFailed');
  template(spec, false);
}

function podSpec(spec: JsonObject, restartAlways: boolean): void {
  if (restartAlways) setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'securityContext', {});
  setDefault(spec, 'schedulerName', 'default-scheduler');
  for (const field of ['initContainers', 'containers']) {
    const containers = spec[field];
    if (!Array.isArray(containers)) continue;
    for (const c of containers) if (isJsonObject(c)) container(c);
  }
}

function container(c: JsonObject): void {
  const image = typeof c['image'] === 'string' ? c['image'] : '';
  const tag = image.includes('@') ? 'digest' : (/:([^/:]+)$/.exec(image)?.[1] ?? 'latest');
  setDefault(c, 'imagePullPolicy', tag === 'latest' ? 'Always' : 'IfNotPresent');
  setDefault(c, 'terminationMessagePath', '/dev/termination-log');
  setDefault(c, 'terminationMessagePolicy', 'File');
  setDefault(c, 'resources', {});
  const ports = c['ports'];
  if (Array.isArray(ports)) for (const p of ports) if (isJsonObject(p)) setDefault(p, 'protocol', 'TCP');
}

function serviceSpec(spec: JsonObject, allocateClusterIP: () => string): void {
  setDefault(spec, 'type', 'ClusterIP');
  setDefault(spec, 'sessionAffinity', 'None');
  if (spec['type'] !== 'ExternalName') {
    setDefault(spec, 'clusterIP', allocateClusterIP());
    setDefault(spec, 'clusterIPs', spec['clusterIP'] === 'None' ? ['None'] : [spec['clusterIP'] as string]);
    setDefault(spec, 'ipFamilies', ['IPv4']);
    setDefault(spec, 'ipFamilyPolicy', 'SingleStack');
    setDefault(spec, 'internalTrafficPolicy', 'Cluster');
  }
  const ports = spec['ports'];
  if (Array.isArray(ports)) {
    for (const p of ports) {
      if (!isJsonObject(p)) continue;
      setDefault(p, 'protocol', 'TCP');
      setDefault(p, 'targetPort', p['port'] ?? null);
    }
  }
}

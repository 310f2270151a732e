import type { ObjectTarget } from './bundle-spec.schema.js';
import { groupOf, type KubeObject } from './kube-object.js';
import { matchesLabelSelector } from './label-selector.js';

/** Whether an object matches every field a patch or ignore target sets. */
export function matchesObjectTarget(object: KubeObject, target: ObjectTarget): boolean {
  const slash = object.apiVersion.indexOf('/');
  const version = slash < 0 ? object.apiVersion : object.apiVersion.slice(slash + 1);
  return (
    (target.group === undefined || target.group === groupOf(object.apiVersion)) &&
    (target.version === undefined || target.version === version) &&
    (target.kind === undefined || target.kind === object.kind) &&
    (target.name === undefined || target.name === object.metadata.name) &&
    (target.namespace === undefined || target.namespace === object.metadata.namespace) &&
    (target.labelSelector === undefined || matchesLabelSelector(target.labelSelector, object.metadata.labels ?? {}))
  );
}

import type { KubeObject, ObjectKey } from '@flotilla/cluster-client';

/** An object's identity with its version: what the inventory stores and reports name. */
export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

export const BUNDLE_ANNOTATION_PRUNE = 'flotilla.dev/prune';

/** The API group of an apiVersion ("" for the core group). */
export function groupOfApiVersion(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

export function versionOfApiVersion(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
}

export function refOf(object: KubeObject): ObjectRef {
  return { apiVersion: object.apiVersion, kind: object.kind, namespace: object.metadata.namespace ?? '', name: object.metadata.name };
}

/** group/kind/namespace/name: equal for the same object in any version (as render's identityOf). */
export function identityOfRef(ref: ObjectRef): string {
  return `${groupOfApiVersion(ref.apiVersion)}/${ref.kind}/${ref.namespace}/${ref.name}`;
}

export function keyOfRef(ref: ObjectRef): ObjectKey {
  return { apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) };
}

/** e.g. `Deployment shop/api`. */
export function describeRef(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

export function isCrd(ref: { apiVersion: string; kind: string }): boolean {
  return ref.kind === 'CustomResourceDefinition' && groupOfApiVersion(ref.apiVersion) === 'apiextensions.k8s.io';
}

export function isNamespace(ref: { apiVersion: string; kind: string }): boolean {
  return ref.kind === 'Namespace' && ref.apiVersion === 'v1';
}

import { isJsonObject, type JsonObject } from '../fields/json-value.util.js';
import type { OpenApiSchema } from '../schema/openapi-document.loader.js';
import type { PrinterColumn, ResourceType, SubresourceType } from '../schema/resource-type.js';
import { TypeResolver } from '../schema/type-resolver.js';
import { UNTYPED } from '../schema/schema-node.js';
import { metadataOf } from './api-request.js';

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/**
 * The resource types one CustomResourceDefinition serves: one per served version, with its
 * scope, names, status/scale subresources, printer columns and a merge schema built from the
 * version's openAPIV3Schema (so its lists merge per its own x-kubernetes-list-type markers).
 */
export function customResourceTypes(crd: JsonObject): ResourceType[] {
  const spec = isJsonObject(crd['spec']) ? crd['spec'] : {};
  const names = isJsonObject(spec['names']) ? spec['names'] : {};
  const group = typeof spec['group'] === 'string' ? spec['group'] : '';
  const kind = typeof names['kind'] === 'string' ? names['kind'] : '';
  const plural = typeof names['plural'] === 'string' ? names['plural'] : '';
  if (!group || !kind || !plural) return [];
  // CRD schemas are self-contained (no $ref), so an empty definition table suffices.
  const resolver = new TypeResolver({});
  const versions = Array.isArray(spec['versions']) ? spec['versions'].filter(isJsonObject) : [];
  return versions
    .filter((v) => v['served'] !== false && typeof v['name'] === 'string')
    .map((v): ResourceType => {
      const version = v['name'] as string;
      const subs = isJsonObject(v['subresources']) ? v['subresources'] : {};
      const gvk = { group, version, kind };
      const subresources: SubresourceType[] = [];
      if (subs['status'] !== undefined) subresources.push({ name: 'status', kind: gvk, verbs: ['get', 'patch', 'update'] });
      if (subs['scale'] !== undefined) subresources.push({ name: 'scale', kind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: ['get', 'patch', 'update'] });
      const schemaHolder = isJsonObject(v['schema']) ? v['schema'] : {};
      const openApi = isJsonObject(schemaHolder['openAPIV3Schema']) ? (schemaHolder['openAPIV3Schema'] as OpenApiSchema) : undefined;
      const columns = Array.isArray(v['additionalPrinterColumns']) ? (v['additionalPrinterColumns'].filter(isJsonObject) as unknown as PrinterColumn[]) : [];
      let schema: ResourceType['schema'] | undefined;
      return {
        group,
        version,
        kind,
        listKind: typeof names['listKind'] === 'string' ? names['listKind'] : `${kind}List`,
        plural,
        singular: typeof names['singular'] === 'string' && names['singular'] ? names['singular'] : kind.toLowerCase(),
        namespaced: spec['scope'] !== 'Cluster',
        verbs: ALL_VERBS,
        shortNames: strings(names['shortNames']),
        categories: strings(names['categories']),
        subresources,
        get schema() {
          schema ??= openApi ? resolver.convert(openApi, true) : UNTYPED;
          return schema;
        },
        custom: true,
        openApiSchema: openApi,
        printerColumns: columns,
      };
    });
}

/** The status the apiextensions controller writes once a CRD's names are accepted: NamesAccepted and Established. */
export function establishedStatus(crd: JsonObject, now: string): JsonObject {
  const spec = isJsonObject(crd['spec']) ? crd['spec'] : {};
  const versions = Array.isArray(spec['versions']) ? spec['versions'].filter(isJsonObject) : [];
  const storage = versions.find((v) => v['storage'] === true)?.['name'];
  const condition = (type: string, reason: string, message: string): JsonObject => ({
    type,
    status: 'True',
    lastTransitionTime: now,
    reason,
    message,
  });
  return {
    conditions: [
      condition('NamesAccepted', 'NoConflicts', 'no conflicts found'),
      condition('Established', 'InitialNamesAccepted', 'the initial names have been accepted'),
    ],
    acceptedNames: isJsonObject(spec['names']) ? spec['names'] : {},
    storedVersions: typeof storage === 'string' ? [storage] : [],
  };
}

export function crdName(crd: JsonObject): string {
  return metadataOf(crd)['name'] as string;
}

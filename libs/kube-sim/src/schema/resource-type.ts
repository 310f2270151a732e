import type { GroupVersionKind } from './openapi-document.loader.js';
import type { SchemaNode } from './schema-node.js';

/** A subresource as discovery lists it (status, scale, ...). */
export interface SubresourceType {
  readonly name: string;
  readonly kind: GroupVersionKind;
  readonly verbs: readonly string[];
}

/**
 * One served resource (group/version/plural) with everything the API layer needs: scope, kind,
 * verbs, discovery hints and its merge schema. Immutable once registered in the catalog.
 */
export interface ResourceType {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly listKind: string;
  readonly plural: string;
  readonly singular: string;
  readonly namespaced: boolean;
  readonly verbs: readonly string[];
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  readonly subresources: readonly SubresourceType[];
  /** Merge schema of the whole object (root struct). */
  readonly schema: SchemaNode;
  /** True for CustomResourceDefinition-backed resources. */
  readonly custom: boolean;
  /** The CRD version's openAPIV3Schema, served in `/openapi/v3` for custom resources. */
  readonly openApiSchema?: Readonly<Record<string, unknown>>;
  /** CRD `additionalPrinterColumns`, used for Table output of custom resources. */
  readonly printerColumns?: readonly PrinterColumn[];
}

/** A Table column of a custom resource, from the CRD. */
export interface PrinterColumn {
  readonly name: string;
  readonly type: string;
  readonly jsonPath: string;
  readonly description?: string;
  readonly priority?: number;
  readonly format?: string;
}

export function apiVersionOf(type: { readonly group: string; readonly version: string }): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

export function hasSubresource(type: ResourceType, name: string): boolean {
  return type.subresources.some((s) => s.name === name);
}

/** `group/plural` key used for storage: one object set per resource, whatever version serves it. */
export function resourceKey(type: { readonly group: string; readonly plural: string }): string {
  return `${type.group}/${type.plural}`;
}

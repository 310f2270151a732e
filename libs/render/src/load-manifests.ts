import { extname } from 'node:path';
import type { KubeObject } from '@flotilla/manifest';
import { RenderError, RenderErrorCode, type SourceLocation } from './render.error.js';
import { parseYamlDocuments } from './yaml-documents.js';

/** A manifest as found in the bundle, with where it came from (for every later error message). */
export interface SourcedManifest {
  readonly object: KubeObject;
  readonly location: SourceLocation;
}

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** Whether a bundle file is a manifest: YAML or JSON, not the bundle spec, not hidden. */
export function isManifestFile(relativePath: string): boolean {
  const name = relativePath.split('/').at(-1)!;
  return MANIFEST_EXTENSIONS.has(extname(name).toLowerCase()) && name !== 'flotilla.yaml' && !relativePath.split('/').some((part) => part.startsWith('.'));
}

/**
 * Parses manifest files (multi-document YAML or JSON; `kind: List` expanded) into objects,
 * checking that each has apiVersion, kind and metadata.name. Empty documents are skipped.
 */
export function parseManifests(text: string, file: string): SourcedManifest[] {
  const manifests: SourcedManifest[] = [];
  for (const doc of parseYamlDocuments(text, file)) {
    if (doc.value === null || doc.value === undefined) continue;
    const location = { file, line: doc.line };
    const items = isList(doc.value) ? (doc.value as { items: unknown[] }).items : [doc.value];
    for (const item of items) manifests.push({ object: checkObject(item, location), location });
  }
  return manifests;
}

function isList(value: unknown): boolean {
  const record = value as Record<string, unknown>;
  return typeof record === 'object' && record !== null && typeof record.kind === 'string' && record.kind.endsWith('List') && Array.isArray(record.items);
}

/** Checks the shape every Kubernetes object needs; the message names the missing field. */
export function checkObject(value: unknown, location: SourceLocation): KubeObject {
  const fail = (reason: string): never => {
    throw new RenderError(RenderErrorCode.InvalidManifest, reason, location);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('expected a Kubernetes object (a mapping)');
  const object = value as Record<string, unknown>;
  if (typeof object.apiVersion !== 'string' || object.apiVersion === '') return fail('the object has no apiVersion');
  if (typeof object.kind !== 'string' || object.kind === '') return fail('the object has no kind');
  const metadata = object.metadata as Record<string, unknown> | undefined;
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) return fail(`the ${object.kind} has no metadata`);
  if (typeof metadata.name !== 'string' || metadata.name === '') {
    return fail(`the ${object.kind} has no metadata.name${metadata.generateName ? ' (generateName cannot be applied declaratively)' : ''}`);
  }
  if (metadata.namespace !== undefined && typeof metadata.namespace !== 'string') return fail(`${object.kind} ${metadata.name}: metadata.namespace must be a string`);
  for (const field of ['labels', 'annotations'] as const) {
    const map = metadata[field];
    if (map === undefined || map === null) continue;
    if (typeof map !== 'object' || Array.isArray(map) || Object.values(map).some((v) => typeof v !== 'string')) {
      return fail(`${object.kind} ${metadata.name}: metadata.${field} must map strings to strings`);
    }
  }
  return object as unknown as KubeObject;
}

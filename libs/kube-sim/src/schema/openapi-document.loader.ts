import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/** One OpenAPI v2 property or definition, as far as kube-sim reads it (the rest is passed through untouched). */
export interface OpenApiSchema {
  readonly type?: string;
  readonly format?: string;
  readonly $ref?: string;
  readonly properties?: Readonly<Record<string, OpenApiSchema>>;
  readonly additionalProperties?: OpenApiSchema | boolean;
  readonly items?: OpenApiSchema;
  readonly required?: readonly string[];
  readonly 'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  readonly 'x-kubernetes-list-map-keys'?: readonly string[];
  readonly 'x-kubernetes-patch-merge-key'?: string;
  readonly 'x-kubernetes-patch-strategy'?: string;
  readonly 'x-kubernetes-map-type'?: 'atomic' | 'granular';
  readonly 'x-kubernetes-preserve-unknown-fields'?: boolean;
  readonly 'x-kubernetes-int-or-string'?: boolean;
  readonly 'x-kubernetes-embedded-resource'?: boolean;
  readonly [extra: string]: unknown;
}

/** The group/version/kind triple, as `x-kubernetes-group-version-kind` spells it. */
export interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

/** One operation of an OpenAPI v2 path. */
export interface OpenApiOperation {
  readonly 'x-kubernetes-action'?: string;
  readonly 'x-kubernetes-group-version-kind'?: GroupVersionKind;
  readonly [extra: string]: unknown;
}

/** The Kubernetes v1.35 OpenAPI v2 document; shared and frozen by convention — never mutate it. */
export interface OpenApiV2Document {
  readonly swagger: string;
  readonly info: Record<string, unknown>;
  readonly paths: Readonly<Record<string, Readonly<Record<string, OpenApiOperation>>>>;
  readonly definitions: Readonly<Record<string, OpenApiSchema>>;
  readonly [extra: string]: unknown;
}

const SCHEMA_NAME = 'swagger-v1.35.0.json.gz';

/**
 * Where the vendored schema is: beside the sources (`libs/kube-sim/openapi`), or — when running
 * the swc output in `dist/libs/kube-sim/src`, which holds only compiled code — back in the
 * repository's `libs/kube-sim/openapi`.
 */
const SCHEMA_CANDIDATES = [
  new URL(`../../openapi/${SCHEMA_NAME}`, import.meta.url),
  new URL(`../../../../../libs/kube-sim/openapi/${SCHEMA_NAME}`, import.meta.url),
];

let cached: { readonly doc: OpenApiV2Document; readonly raw: Buffer } | undefined;

function schemaFile(): URL {
  const found = SCHEMA_CANDIDATES.find((url) => existsSync(url));
  if (!found) throw new Error(`kube-sim: the vendored OpenAPI schema ${SCHEMA_NAME} was not found (looked in ${SCHEMA_CANDIDATES.map((u) => u.pathname).join(', ')})`);
  return found;
}

function load(): { readonly doc: OpenApiV2Document; readonly raw: Buffer } {
  // Gunzip and parse once per process: ~25 ms, and every instance shares the result read-only.
  if (!cached) {
    const raw = gunzipSync(readFileSync(schemaFile()));
    cached = { raw, doc: JSON.parse(raw.toString('utf8')) as OpenApiV2Document };
  }
  return cached;
}

/** The vendored Kubernetes v1.35 OpenAPI v2 document (parsed once per process, cached). */
export function loadOpenApiV2(): OpenApiV2Document {
  return load().doc;
}

/** The same document as the JSON bytes it was vendored with, for serving `/openapi/v2` without re-serialising. */
export function openApiV2Bytes(): Buffer {
  return load().raw;
}

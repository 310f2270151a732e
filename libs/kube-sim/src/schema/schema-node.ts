/**
 * The merge-relevant shape of one API type, reduced from OpenAPI the way kube-openapi's schemaconv
 * reduces it for structured-merge-diff: scalars, structs (named fields), maps (free keys), lists
 * (atomic | set | map with keys) and untyped values (deduced from the data itself).
 */
export type SchemaNode = ScalarNode | StructNode | MapNode | ListNode | UntypedNode;

/** A leaf value: string, number, boolean, or a string-formatted type (Time, Quantity, IntOrString). */
export interface ScalarNode {
  readonly kind: 'scalar';
  /** The declared JSON type; `int-or-string` accepts both, `any` is unchecked. */
  readonly type: 'string' | 'integer' | 'number' | 'boolean' | 'int-or-string' | 'any';
  /** OpenAPI format (int32, int64, date-time, …), used for upstream-style type names in errors. */
  readonly format?: string;
}

/** A value with no schema (RawExtension, preserve-unknown-fields): maps merge granularly, lists are atomic. */
export interface UntypedNode {
  readonly kind: 'untyped';
}

/** An object with declared properties; `atomic` when `x-kubernetes-map-type: atomic` makes it one value. */
export interface StructNode {
  readonly kind: 'struct';
  readonly atomic: boolean;
  /** The Go type name for built-ins (`DeploymentSpec`), used in decoding errors. */
  readonly typeName?: string;
  /** The schema of a declared field, resolved lazily (schemas are recursive). */
  field(name: string): SchemaNode | undefined;
  fieldNames(): readonly string[];
  /** Required property names, as the schema declares them. */
  readonly required: readonly string[];
  /** Schema for undeclared keys, when the type allows them (preserve-unknown-fields). */
  readonly unknownFields?: SchemaNode;
}

/** An object with free-form keys (labels, data): granular unless `x-kubernetes-map-type: atomic`. */
export interface MapNode {
  readonly kind: 'map';
  readonly atomic: boolean;
  readonly elem: SchemaNode;
}

/** A list with its server-side-apply relationship and its strategic-merge-patch directives. */
export interface ListNode {
  readonly kind: 'list';
  readonly elem: SchemaNode;
  readonly listType: 'atomic' | 'set' | 'map';
  /** Keys identifying items of a `map` list (x-kubernetes-list-map-keys, or the patch merge key). */
  readonly keys: readonly string[];
  /** Values a key field takes when an item omits it (upstream: the key field's schema default, e.g. protocol TCP). */
  readonly keyDefaults?: Readonly<Record<string, string>>;
  /** Strategic merge patch: the merge key and strategy (`merge`, `retainKeys`, `replace`), when declared. */
  readonly patchMergeKey?: string;
  readonly patchStrategy?: string;
}

export const SCALAR: ScalarNode = Object.freeze({ kind: 'scalar', type: 'any' });

const scalars = new Map<string, ScalarNode>();

/** Shared scalar nodes per type and format (there are only a handful). */
export function scalarNode(type: ScalarNode['type'], format?: string): ScalarNode {
  const key = `${type}/${format ?? ''}`;
  let node = scalars.get(key);
  if (!node) {
    node = Object.freeze(format ? { kind: 'scalar', type, format } : { kind: 'scalar', type });
    scalars.set(key, node);
  }
  return node;
}
export const UNTYPED: UntypedNode = Object.freeze({ kind: 'untyped' });

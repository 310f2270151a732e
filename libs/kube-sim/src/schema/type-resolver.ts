import type { OpenApiSchema } from './openapi-document.loader.js';
import { SCALAR, scalarNode, UNTYPED, type ListNode, type SchemaNode, type StructNode } from './schema-node.js';

const DEFINITION_PREFIX = '#/definitions/';
const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

/**
 * Turns OpenAPI schemas (v2 definitions, or a CRD's openAPIV3Schema) into SchemaNodes, following
 * upstream's schemaconv rules: a list without x-kubernetes-list-type is atomic unless its patch
 * strategy is `merge` (then keyed by the merge key, or a set for scalars); structs are granular
 * unless `x-kubernetes-map-type: atomic`. Results are cached per definition, so recursion is safe.
 */
export class TypeResolver {
  private readonly byDefinition = new Map<string, SchemaNode>();

  constructor(private readonly definitions: Readonly<Record<string, OpenApiSchema>>) {}

  definition(name: string): SchemaNode {
    const known = this.byDefinition.get(name);
    if (known) return known;
    const schema = this.definitions[name];
    if (!schema) return UNTYPED;
    // Quantity is declared a string but decodes numbers too (`cpu: 1`), so it is not type-checked.
    if (name.endsWith('.api.resource.Quantity')) return SCALAR;
    // Registered before conversion: a struct resolves its fields lazily, so self-references terminate.
    const node = this.convert(schema, false, name.slice(name.lastIndexOf('.') + 1));
    this.byDefinition.set(name, node);
    return node;
  }

  /** Converts an inline schema; `root` marks a top-level CRD schema, whose metadata is ObjectMeta. */
  convert(schema: OpenApiSchema, root = false, typeName?: string): SchemaNode {
    if (schema.$ref) return this.definition(schema.$ref.slice(DEFINITION_PREFIX.length));
    const allOf = schema['allOf'] as OpenApiSchema[] | undefined;
    if (allOf?.length === 1 && allOf[0]) return this.convert(allOf[0], root);
    if (schema['x-kubernetes-int-or-string'] || schema.format === 'int-or-string') return scalarNode('int-or-string');
    if (schema.type === 'array') return this.list(schema);
    if (schema.properties) return this.struct(schema, root, typeName);
    if (schema.type === 'object' || schema.additionalProperties) {
      const extra = schema.additionalProperties;
      if (extra && typeof extra === 'object') {
        return { kind: 'map', atomic: schema['x-kubernetes-map-type'] === 'atomic', elem: this.convert(extra) };
      }
      return UNTYPED;
    }
    if (schema.type === 'string' || schema.type === 'integer' || schema.type === 'number' || schema.type === 'boolean') {
      return scalarNode(schema.type, schema.format);
    }
    if (schema.type) return SCALAR;
    return UNTYPED;
  }

  private list(schema: OpenApiSchema): ListNode {
    const elem = schema.items ? this.convert(schema.items) : UNTYPED;
    const declared = schema['x-kubernetes-list-type'];
    const mergeKey = schema['x-kubernetes-patch-merge-key'];
    const strategy = schema['x-kubernetes-patch-strategy'];
    const merges = strategy?.split(',').includes('merge') ?? false;
    let listType: ListNode['listType'] = declared ?? 'atomic';
    let keys: readonly string[] = schema['x-kubernetes-list-map-keys'] ?? [];
    if (!declared && merges) {
      listType = mergeKey ? 'map' : 'set';
      keys = mergeKey ? [mergeKey] : [];
    }
    if (listType === 'map' && keys.length === 0 && mergeKey) keys = [mergeKey];
    // The v2 document carries no defaults; `protocol` is the one defaulted list-map key among built-ins (v3 says TCP).
    const keyDefaults = keys.includes('protocol') ? { protocol: 'TCP' } : undefined;
    return { kind: 'list', elem, listType, keys, keyDefaults, patchMergeKey: mergeKey, patchStrategy: strategy };
  }

  private struct(schema: OpenApiSchema, root: boolean, typeName: string | undefined): StructNode {
    const properties = schema.properties ?? {};
    const cache = new Map<string, SchemaNode>();
    const names = Object.keys(properties);
    const extra = schema.additionalProperties;
    const unknownFields =
      extra && typeof extra === 'object'
        ? this.convert(extra)
        : schema['x-kubernetes-preserve-unknown-fields']
          ? UNTYPED
          : undefined;
    const field = (name: string): SchemaNode | undefined => {
      const hit = cache.get(name);
      if (hit) return hit;
      const prop = properties[name];
      if (!prop) return unknownFields;
      const node = root && name === 'metadata' ? this.definition(OBJECT_META) : this.convert(prop);
      cache.set(name, node);
      return node;
    };
    // Every custom resource implicitly has apiVersion, kind and ObjectMeta, whatever its schema declares.
    if (root) for (const implicit of ['apiVersion', 'kind', 'metadata']) if (!properties[implicit]) names.push(implicit);
    const rootField = root
      ? (name: string) =>
          name === 'metadata' ? this.definition(OBJECT_META) : (name === 'apiVersion' || name === 'kind') && !properties[name] ? SCALAR : field(name)
      : field;
    return {
      kind: 'struct',
      atomic: schema['x-kubernetes-map-type'] === 'atomic',
      typeName,
      field: rootField,
      fieldNames: () => names,
      required: schema.required ?? [],
      unknownFields,
    };
  }
}

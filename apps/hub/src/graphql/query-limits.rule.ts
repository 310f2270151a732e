import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';

/** Bounds on one GraphQL document, so no query can make the hub do unbounded work. */
export interface QueryLimits {
  readonly maxDepth: number;
  readonly maxAliases: number;
  /** Field selections in the whole document, fragments expanded: a cheap, safe complexity measure. */
  readonly maxFields: number;
  readonly maxRootFields: number;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = { maxDepth: 12, maxAliases: 30, maxFields: 1_000, maxRootFields: 20 };

interface Measure {
  depth: number;
  fields: number;
  aliases: number;
}

/**
 * One validation rule checking depth, aliases, total fields (fragments expanded, cycles cut) and
 * root fields per operation. Runs before execution, so a refused query costs nothing. Introspection
 * fields are not counted: their depth is fixed by the spec, and production turns them off.
 */
export function queryLimitsRule(limits: QueryLimits = DEFAULT_QUERY_LIMITS): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of context.getDocument().definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    }
    const measure = (set: SelectionSetNode, depth: number, visiting: Set<string>, total: Measure): void => {
      for (const selection of set.selections) {
        if (total.fields > limits.maxFields) return;
        if (selection.kind === Kind.FIELD) {
          // Introspection has its own fixed shape (and is switched off in production): not counted.
          if (selection.name.value.startsWith('__')) continue;
          total.fields += 1;
          if (selection.alias) total.aliases += 1;
          total.depth = Math.max(total.depth, depth + 1);
          if (selection.selectionSet) measure(selection.selectionSet, depth + 1, visiting, total);
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          measure(selection.selectionSet, depth, visiting, total);
        } else {
          const name = selection.name.value;
          const fragment = fragments.get(name);
          if (!fragment || visiting.has(name)) continue; // unknown or cyclic: the standard rules report it
          visiting.add(name);
          measure(fragment.selectionSet, depth, visiting, total);
          visiting.delete(name);
        }
      }
    };
    return {
      OperationDefinition(operation) {
        const total: Measure = { depth: 0, fields: 0, aliases: 0 };
        measure(operation.selectionSet, 0, new Set(), total);
        const roots = operation.selectionSet.selections.length;
        const problems = [
          total.depth > limits.maxDepth && `is ${total.depth} levels deep; the limit is ${limits.maxDepth}`,
          total.fields > limits.maxFields && `selects more than ${limits.maxFields} fields`,
          total.aliases > limits.maxAliases && `uses ${total.aliases} aliases; the limit is ${limits.maxAliases}`,
          roots > limits.maxRootFields && `asks for ${roots} root fields; the limit is ${limits.maxRootFields}`,
        ].filter(Boolean);
        for (const problem of problems) {
          context.reportError(new GraphQLError(`the ${operation.operation} ${problem}`, { nodes: operation, extensions: { code: 'QUERY_TOO_COMPLEX' } }));
        }
      },
    };
  };
}

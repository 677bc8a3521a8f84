// Rewrites an operation to what one caller may see, before it is planned: a field whose
// requirement (its own, or that of the type it returns) the caller does not meet is taken out,
// as Apollo Router does for @authenticated, @requiresScopes and @policy. A removed field that
// cannot be null takes its nearest nullable ancestor with it, as a null would in execution.
import {
  getNamedType,
  getNullableType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type InlineFragmentNode,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';
import type { Caller } from '../subgraphs/kit/auth/roles';
import { both, isMet, type Requirement, type SchemaRequirements } from '../subgraphs/kit/auth/requirements';

/** In a path, where a list stands: every element of it (Apollo Router writes removed paths this way). */
export const EVERY_ELEMENT = '@';

export interface Removal {
  /** The response path of what was removed, by response key (aliases), EVERY_ELEMENT for each list above it. */
  path: readonly string[];
  /** "Type.field", or the type of a removed fragment. */
  coordinate: string;
  requirement: Requirement;
}

/**
 * What is left for the caller: the operation as it came (nothing removed), nothing at all (the
 * answer is the errors alone, data null), or the operation rewritten.
 */
export type FilteredOperation =
  | { kind: 'unchanged' }
  | { kind: 'nothing-left'; removals: Removal[] }
  | {
      kind: 'rewritten';
      /** The operation alone, fragments inlined, with only the variables it still uses. */
      document: DocumentNode;
      operation: OperationDefinitionNode;
      /** One per field or fragment the caller may not see. */
      removals: Removal[];
      /** Response paths to answer null at: removed nullable fields, and ancestors that took a removed non-null field with them. */
      nulls: (readonly string[])[];
    };

interface Filtering {
  schema: GraphQLSchema;
  requirements: SchemaRequirements;
  caller: Caller;
  fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  removals: Removal[];
  nulls: (readonly string[])[];
}

/** What is left of a selection set, and whether its field must go too (a non-null field in it was removed). */
interface Filtered {
  selections: SelectionNode[];
  takesParent: boolean;
}

export function filterOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  requirements: SchemaRequirements,
  caller: Caller,
): FilteredOperation {
  const root =
    operation.operation === 'mutation'
      ? schema.getMutationType()
      : operation.operation === 'subscription'
        ? schema.getSubscriptionType()
        : schema.getQueryType();
  const fragments = new Map(
    document.definitions.filter((definition) => definition.kind === Kind.FRAGMENT_DEFINITION).map((fragment) => [fragment.name.value, fragment]),
  );
  if (!root) return { kind: 'unchanged' };
  const state: Filtering = { schema, requirements, caller, fragments, removals: [], nulls: [] };
  const filtered = filterSelections(state, operation.selectionSet, root, []);
  if (state.removals.length === 0) return { kind: 'unchanged' };

  const removals = unique(state.removals, (removal) => `${removal.path.join('.')}|${removal.coordinate}`);
  if (filtered.takesParent || filtered.selections.length === 0) return { kind: 'nothing-left', removals };
  const rewritten = withUsedVariablesOnly({ ...operation, selectionSet: { kind: Kind.SELECTION_SET, selections: filtered.selections } });
  return {
    kind: 'rewritten',
    document: { kind: Kind.DOCUMENT, definitions: [rewritten] },
    operation: rewritten,
    removals,
    nulls: unique(state.nulls, (path) => path.join('.')),
  };
}

function filterSelections(state: Filtering, selectionSet: SelectionSetNode, parent: GraphQLCompositeType, path: readonly string[]): Filtered {
  const selections: SelectionNode[] = [];
  let takesParent = false;
  for (const selection of selectionSet.selections) {
    // A named fragment is inlined where it is spread: each use sits at its own path.
    const inlined = selection.kind === Kind.FRAGMENT_SPREAD ? inlineSpread(state, selection.name.value, selection.directives) : selection;
    if (!inlined) continue;
    const kept = inlined.kind === Kind.FIELD ? filterField(state, inlined, parent, path) : filterFragment(state, inlined, parent, path);
    if (kept === 'takes-parent') takesParent = true;
    else if (kept) selections.push(kept);
  }
  return { selections, takesParent };
}

function filterField(state: Filtering, field: FieldNode, parent: GraphQLCompositeType, path: readonly string[]): FieldNode | 'takes-parent' | undefined {
  // __typename, and introspection's __schema and __type, are open to every signed-in caller.
  if (field.name.value.startsWith('__')) return field;
  const definition = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[field.name.value] : undefined;
  if (!definition) return field;
  const coordinate = `${parent.name}.${field.name.value}`;
  const fieldPath = [...path, field.alias?.value ?? field.name.value];
  const requirement = both(state.requirements.fields.get(coordinate), state.requirements.types.get(getNamedType(definition.type).name));
  if (!isMet(requirement, state.caller)) {
    state.removals.push({ path: fieldPath, coordinate, requirement: requirement! });
    return removed(state, definition.type, fieldPath);
  }
  if (!field.selectionSet) return field;
  const named = getNamedType(definition.type);
  if (!isCompositeType(named)) return field;
  const inner = filterSelections(state, field.selectionSet, named, [...fieldPath, ...listLevels(definition.type)]);
  // Nothing left to ask of it: the field goes, its removed children have their errors.
  if (inner.takesParent || inner.selections.length === 0) return removed(state, definition.type, fieldPath);
  return { ...field, selectionSet: { ...field.selectionSet, selections: inner.selections } };
}

function filterFragment(
  state: Filtering,
  fragment: InlineFragmentNode,
  parent: GraphQLCompositeType,
  path: readonly string[],
): InlineFragmentNode | 'takes-parent' | undefined {
  const named = fragment.typeCondition ? state.schema.getType(fragment.typeCondition.name.value) : parent;
  const on = named && isCompositeType(named) ? named : parent;
  const requirement = state.requirements.types.get(on.name);
  if (on !== parent && !isMet(requirement, state.caller)) {
    state.removals.push({ path, coordinate: on.name, requirement: requirement! });
    return undefined;
  }
  const inner = filterSelections(state, fragment.selectionSet, on, path);
  if (inner.takesParent) return 'takes-parent';
  if (inner.selections.length === 0) return undefined;
  return { ...fragment, selectionSet: { ...fragment.selectionSet, selections: inner.selections } };
}

/** A removed field answers null where it sits, or, when it cannot be null, makes its parent go. */
function removed(state: Filtering, type: GraphQLOutputType, path: readonly string[]): 'takes-parent' | undefined {
  if (isNonNullType(type)) return 'takes-parent';
  state.nulls.push(path);
  return undefined;
}

function inlineSpread(state: Filtering, name: string, directives: FieldNode['directives']): InlineFragmentNode | undefined {
  const fragment = state.fragments.get(name);
  if (!fragment) return undefined;
  return { kind: Kind.INLINE_FRAGMENT, typeCondition: fragment.typeCondition, directives, selectionSet: fragment.selectionSet };
}

/** One EVERY_ELEMENT for each list a field's type wraps its values in. */
function listLevels(type: GraphQLOutputType): string[] {
  const levels: string[] = [];
  let current = getNullableType(type);
  while (isListType(current)) {
    levels.push(EVERY_ELEMENT);
    current = getNullableType(current.ofType);
  }
  return levels;
}

/** Variables only removed fields used are dropped: validation refuses a variable that is defined and never used. */
function withUsedVariablesOnly(operation: OperationDefinitionNode): OperationDefinitionNode {
  const used = new Set<string>();
  visit(
    { ...operation, variableDefinitions: [] },
    {
      Variable(node) {
        used.add(node.name.value);
      },
    },
  );
  return { ...operation, variableDefinitions: operation.variableDefinitions?.filter((definition) => used.has(definition.variable.name.value)) };
}

function unique<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const item of items) if (!seen.has(key(item))) seen.set(key(item), item);
  return [...seen.values()];
}

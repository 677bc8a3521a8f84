// What the schema's authorisation directives (@authenticated, @requiresScopes, @policy) ask of a
// caller, read from SDL nodes: the gateway reads them from the supergraph, each subgraph from its
// own schema, so both enforce the one declaration.
import { GraphQLError, Kind, type ConstDirectiveNode, type ConstValueNode, type DefinitionNode } from 'graphql';
import { holdsPolicy, isPolicyName } from './policies';
import { hasScope, SCOPES, type Caller, type Scope } from './roles';

/** Alternatives of conjunctions: [["a"], ["b", "c"]] is a, or b and c. */
export type Alternatives = readonly (readonly string[])[];

/** Every part must hold: a field's own requirement beside that of the type it returns, for instance. */
export interface Requirement {
  authenticated: boolean;
  scopes: readonly Alternatives[];
  policies: readonly Alternatives[];
}

/** The directive names in a schema; a @link may rename them. */
export interface DirectiveNames {
  authenticated: string;
  requiresScopes: string;
  policy: string;
}

export const DEFAULT_DIRECTIVE_NAMES: DirectiveNames = { authenticated: 'authenticated', requiresScopes: 'requiresScopes', policy: 'policy' };

/** Type name → its requirement (it applies to every field returning the type), and "Type.field" → the field's own. */
export interface SchemaRequirements {
  types: ReadonlyMap<string, Requirement>;
  fields: ReadonlyMap<string, Requirement>;
}

export function requirementOf(directives: readonly ConstDirectiveNode[] | undefined, names: DirectiveNames = DEFAULT_DIRECTIVE_NAMES): Requirement | undefined {
  let requirement: Requirement | undefined;
  for (const directive of directives ?? []) {
    const name = directive.name.value;
    if (name === names.authenticated) requirement = both(requirement, { authenticated: true, scopes: [], policies: [] });
    else if (name === names.requiresScopes)
      requirement = both(requirement, { authenticated: true, scopes: [alternatives(directive, 'scopes', checkScope)], policies: [] });
    else if (name === names.policy)
      requirement = both(requirement, { authenticated: true, scopes: [], policies: [alternatives(directive, 'policies', checkPolicy)] });
  }
  return requirement;
}

/** Both requirements at once. */
export function both(first: Requirement | undefined, second: Requirement | undefined): Requirement | undefined {
  if (!first) return second;
  if (!second) return first;
  return {
    authenticated: first.authenticated || second.authenticated,
    scopes: [...first.scopes, ...second.scopes],
    policies: [...first.policies, ...second.policies],
  };
}

export function isMet(requirement: Requirement | undefined, caller: Caller): boolean {
  if (!requirement) return true;
  if (requirement.authenticated && caller.role === undefined) return false;
  const heldScope = (scope: string) => hasScope(caller, scope as Scope);
  const heldPolicy = (policy: string) => holdsPolicy(caller, policy);
  return (
    requirement.scopes.every((alternatives) => alternatives.some((all) => all.every(heldScope))) &&
    requirement.policies.every((alternatives) => alternatives.some((all) => all.every(heldPolicy)))
  );
}

/** In words, for an error message: "the scope operators:read or recognition:read, and the policy eu-wide". */
export function describeRequirement(requirement: Requirement): string {
  const parts = [
    ...requirement.scopes.map((alternatives) => `the scope ${inWords(alternatives)}`),
    ...requirement.policies.map((alternatives) => `the policy ${inWords(alternatives)}`),
  ];
  return parts.length ? parts.join(', and ') : 'a signed-in caller';
}

function inWords(alternatives: Alternatives): string {
  return alternatives.map((all) => all.join(' and ')).join(' or ');
}

/**
 * Every type's and field's requirement in these SDL definitions: a parsed supergraph, or the
 * astNode and extensionASTNodes of a built schema's types.
 */
export function collectRequirements(definitions: Iterable<DefinitionNode>, names: DirectiveNames = DEFAULT_DIRECTIVE_NAMES): SchemaRequirements {
  const types = new Map<string, Requirement>();
  const fields = new Map<string, Requirement>();
  for (const definition of definitions) {
    if (
      definition.kind !== Kind.OBJECT_TYPE_DEFINITION &&
      definition.kind !== Kind.OBJECT_TYPE_EXTENSION &&
      definition.kind !== Kind.INTERFACE_TYPE_DEFINITION &&
      definition.kind !== Kind.INTERFACE_TYPE_EXTENSION &&
      definition.kind !== Kind.SCALAR_TYPE_DEFINITION &&
      definition.kind !== Kind.ENUM_TYPE_DEFINITION
    )
      continue;
    const typeName = definition.name.value;
    const onType = requirementOf(definition.directives, names);
    if (onType) types.set(typeName, both(types.get(typeName), onType)!);
    if (!('fields' in definition)) continue;
    for (const field of definition.fields ?? []) {
      const onField = requirementOf(field.directives, names);
      const coordinate = `${typeName}.${field.name.value}`;
      if (onField) fields.set(coordinate, both(fields.get(coordinate), onField)!);
    }
  }
  return { types, fields };
}

/** The [["a"], ["b", "c"]] argument of a directive, its names checked against what the platform knows. */
function alternatives(directive: ConstDirectiveNode, argument: string, check: (name: string) => void): Alternatives {
  const value = directive.arguments?.find((arg) => arg.name.value === argument)?.value;
  const list = (node: ConstValueNode | undefined): readonly ConstValueNode[] => (node?.kind === Kind.LIST ? node.values : node ? [node] : []);
  return list(value).map((inner) =>
    list(inner).map((item) => {
      if (item.kind !== Kind.STRING) throw new GraphQLError(`@${directive.name.value}(${argument}:) takes strings`);
      check(item.value);
      return item.value;
    }),
  );
}

function checkScope(name: string): void {
  if (!(SCOPES as readonly string[]).includes(name)) throw new Error(`@requiresScopes names "${name}", which is no scope of kit/auth/roles.ts SCOPES`);
}

function checkPolicy(name: string): void {
  if (!isPolicyName(name)) throw new Error(`@policy names "${name}", which is no policy of kit/auth/policies.ts`);
}

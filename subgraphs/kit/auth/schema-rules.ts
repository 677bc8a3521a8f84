// The second check of the schema's authorisation directives, inside each subgraph: the gateway
// removes what a caller may not see before it plans, and a subgraph refuses it again, so a field
// stays closed even to a request that reaches the subgraph some other way, or a gateway that
// forgot. Field resolvers are wrapped (default ones too), and so is entity resolution for types
// that carry a requirement of their own.
import {
  defaultFieldResolver,
  getNamedType,
  GraphQLError,
  isObjectType,
  type DefinitionNode,
  type GraphQLFieldResolver,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { callerOf } from './roles';
import { both, collectRequirements, describeRequirement, isMet, type Requirement, type SchemaRequirements } from './requirements';

type ResolveReference = (reference: object, context: unknown, info: unknown) => unknown;

/** The requirements a subgraph's own SDL declares, from the astNodes of its built schema. */
export function requirementsOfSchema(schema: GraphQLSchema): SchemaRequirements {
  const nodes: DefinitionNode[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.astNode) nodes.push(type.astNode);
    nodes.push(...type.extensionASTNodes);
  }
  return collectRequirements(nodes);
}

/** Wraps the schema's resolvers in place so that a caller without what a field asks for gets FORBIDDEN naming it. */
export function enforceSchemaRequirements(schema: GraphQLSchema): GraphQLSchema {
  const requirements = requirementsOfSchema(schema);
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const coordinate = `${type.name}.${field.name}`;
      // A type's requirement applies to every field returning it.
      const requirement = both(requirements.fields.get(coordinate), requirements.types.get(getNamedType(field.type).name));
      if (requirement) field.resolve = guarded(field.resolve ?? defaultFieldResolver, coordinate, requirement);
    }
    const onType = requirements.types.get(type.name);
    if (onType && isEntity(type)) guardEntityResolution(type, onType);
  }
  return schema;
}

export function fieldForbidden(coordinate: string, requirement: Requirement): GraphQLError {
  return new GraphQLError(`${coordinate} needs ${describeRequirement(requirement)}, which the caller does not hold`, {
    extensions: { code: 'FORBIDDEN', field: coordinate, requiredScopes: requirement.scopes, requiredPolicies: requirement.policies },
  });
}

function guarded(resolve: GraphQLFieldResolver<unknown, unknown>, coordinate: string, requirement: Requirement): GraphQLFieldResolver<unknown, unknown> {
  return (source, args, context, info) => {
    if (!isMet(requirement, callerOf(context))) throw fieldForbidden(coordinate, requirement);
    return resolve(source, args, context, info);
  };
}

/** `_entities` skips field resolvers for the entity itself: its __resolveReference is the door. */
function guardEntityResolution(type: GraphQLObjectType, requirement: Requirement): void {
  const extensions = type.extensions as { apollo?: { subgraph?: { resolveReference?: ResolveReference } } };
  const subgraph = extensions.apollo?.subgraph;
  const resolveReference: ResolveReference = subgraph?.resolveReference ?? ((reference) => reference);
  // A rejected promise, not a throw: the one entity is refused (null at _entities[i]), not the whole batch.
  const guardedReference: ResolveReference = (reference, context, info) =>
    isMet(requirement, callerOf(context)) ? resolveReference(reference, context, info) : Promise.reject(fieldForbidden(type.name, requirement));
  // @apollo/subgraph keeps __resolveReference here, and replaces the object the same way.
  type.extensions = { ...type.extensions, apollo: { ...extensions.apollo, subgraph: { ...subgraph, resolveReference: guardedReference } } };
}

function isEntity(type: GraphQLObjectType): boolean {
  return [type.astNode, ...type.extensionASTNodes].some((node) => node?.directives?.some((directive) => directive.name.value === 'key'));
}

/** Every request of a subgraph carries a verified caller (kit/server.ts); one without is nobody. */

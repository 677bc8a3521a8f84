// Authorisation at the gateway, as Apollo Router does it (@apollo/gateway ignores the
// directives): the requirements come from the supergraph's @authenticated, @requiresScopes and
// @policy, each operation is rewritten to what its caller may see before it is planned, and the
// answer carries a FORBIDDEN error, and a null, for everything removed. The subgraphs check the
// same directives again (kit/auth/schema-rules.ts).
import { createHash } from 'node:crypto';
import type { ApolloServerOptionsWithGateway } from '@apollo/server';
import { GraphQLError, Kind, parse, print, visit, type ArgumentNode, type ConstArgumentNode, type DocumentNode } from 'graphql';
import { callerOf } from '../subgraphs/kit/auth/roles';
import {
  collectRequirements,
  DEFAULT_DIRECTIVE_NAMES,
  describeRequirement,
  type DirectiveNames,
  type SchemaRequirements,
} from '../subgraphs/kit/auth/requirements';
import { filterOperation, type FilteredOperation, type Removal } from './operation-filter';

export type GatewayInterface = ApolloServerOptionsWithGateway<Record<string, unknown>>['gateway'];
export type GatewayExecutor = NonNullable<Awaited<ReturnType<GatewayInterface['load']>>['executor']>;
type GatewayRequestContext = Parameters<GatewayExecutor>[0];

const SECURITY_SPECS: Record<keyof DirectiveNames, string> = {
  authenticated: 'https://specs.apollo.dev/authenticated/',
  requiresScopes: 'https://specs.apollo.dev/requiresScopes/',
  policy: 'https://specs.apollo.dev/policy/',
};

/** Type and field requirements of a supergraph, under the names its @link gives the directives. */
export function requirementsFromSupergraph(supergraphSdl: string): SchemaRequirements {
  const document = parse(supergraphSdl);
  return collectRequirements(document.definitions, directiveNames(document));
}

/**
 * The supergraph as @apollo/gateway will load it: it refuses any @link(for: SECURITY) feature it
 * does not implement, and it implements none. The links stay, without their purpose, so the
 * directives are still defined; this module enforces them.
 */
export function supergraphForGateway(supergraphSdl: string): string {
  const withoutPurpose = visit(parse(supergraphSdl), {
    Directive(node) {
      if (node.name.value !== 'link' || !node.arguments?.some(isSecurityPurpose)) return undefined;
      return { ...node, arguments: node.arguments.filter((arg) => !isSecurityPurpose(arg)) };
    },
  });
  return print(withoutPurpose);
}

function isSecurityPurpose(arg: ConstArgumentNode | ArgumentNode): boolean {
  return arg.name.value === 'for' && arg.value.kind === Kind.ENUM && arg.value.value === 'SECURITY';
}

/** A gateway whose executor answers each caller only what its requirements let it see. */
export function authorizingGateway(gateway: GatewayInterface, requirements: SchemaRequirements): GatewayInterface {
  return {
    onSchemaLoadOrUpdate: (callback) => gateway.onSchemaLoadOrUpdate(callback),
    stop: () => gateway.stop(),
    async load(options) {
      const loaded = await gateway.load(options);
      return { ...loaded, executor: loaded.executor && authorizingExecutor(loaded.executor, requirements) };
    },
  };
}

export function authorizingExecutor(execute: GatewayExecutor, requirements: SchemaRequirements): GatewayExecutor {
  return async (requestContext) => {
    const { operation, document, schema } = requestContext;
    if (!operation) return execute(requestContext);
    const filtered = filterOperation(schema, document, operation, requirements, callerOf(requestContext.context));
    if (filtered.kind === 'unchanged') return execute(requestContext);
    const errors = filtered.removals.map(forbiddenError);
    if (filtered.kind === 'nothing-left') return { data: null, errors };
    const result = await execute(rewrittenRequest(requestContext, filtered));
    return { ...result, data: result.data && withNulls(result.data, filtered.nulls), errors: [...errors, ...(result.errors ?? [])] };
  };
}

/**
 * The request with the rewritten operation in place of the caller's. Its hash is the plan cache's
 * key, so it must be the rewritten text's: a plan made for a caller who sees more is never reused.
 */
function rewrittenRequest(requestContext: GatewayRequestContext, filtered: Extract<FilteredOperation, { kind: 'rewritten' }>): GatewayRequestContext {
  const source = print(filtered.document);
  return {
    ...requestContext,
    request: { ...requestContext.request, query: source },
    document: filtered.document,
    operation: filtered.operation,
    source,
    queryHash: createHash('sha256').update(source).digest('hex'),
  };
}

function forbiddenError(removal: Removal): GraphQLError {
  return new GraphQLError(`${removal.coordinate} needs ${describeRequirement(removal.requirement)}, which the caller does not hold`, {
    path: removal.path,
    extensions: { code: 'FORBIDDEN', field: removal.coordinate, requiredScopes: removal.requirement.scopes, requiredPolicies: removal.requirement.policies },
  });
}

/** Writes null at each path of the answer; EVERY_ELEMENT ('@') walks into every element of a list. */
export function withNulls(data: Record<string, unknown>, paths: readonly (readonly string[])[]): Record<string, unknown> {
  for (const path of paths) setNull(data, path);
  return data;
}

function setNull(value: unknown, path: readonly string[]): void {
  if (Array.isArray(value)) {
    if (path[0] === '@') for (const element of value) setNull(element, path.slice(1));
    return;
  }
  if (typeof value !== 'object' || value === null || path.length === 0) return;
  const record = value as Record<string, unknown>;
  const [key, ...rest] = path as [string, ...string[]];
  if (rest.length === 0) record[key] = null;
  else setNull(record[key], rest);
}

/** The gateway's context always has the verified caller (server.ts); without one, the caller holds nothing. */
/** The names the supergraph's @link(for: SECURITY) give the directives: `as:`, else the spec's own name. */
function directiveNames(document: DocumentNode): DirectiveNames {
  const names = { ...DEFAULT_DIRECTIVE_NAMES };
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.SCHEMA_DEFINITION && definition.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const link of definition.directives ?? []) {
      if (link.name.value !== 'link') continue;
      const url = stringArgument(link.arguments, 'url');
      const alias = stringArgument(link.arguments, 'as');
      for (const [directive, prefix] of Object.entries(SECURITY_SPECS) as [keyof DirectiveNames, string][])
        if (url?.startsWith(prefix) && alias) names[directive] = alias;
    }
  }
  return names;
}

function stringArgument(args: readonly ConstArgumentNode[] | undefined, name: string): string | undefined {
  const value = args?.find((arg) => arg.name.value === name)?.value;
  return value?.kind === Kind.STRING ? value.value : undefined;
}
